"""`make run`'s script for real, on the embedded default: the URL, login and password in a box are
the last lines before the logs, the console answers there with that password, and a SIGTERM stops
gunicorn, the worker and beat and exits 0."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

from tests.test_zero_config import ROOT, run

START_SECONDS = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_until_box(process: subprocess.Popen) -> list[str]:
    lines, deadline = [], time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if len([text for text in lines if re.fullmatch(r"\+-+\+", text)]) == 2:
            return lines
    raise AssertionError("no box within the time: " + "\n".join(lines[-30:]))


def log_in(url: str, password: str) -> int:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{url}login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": "admin", "password": password}).encode()
    request = urllib.request.Request(f"{url}login/", data=form, headers={"Referer": f"{url}login/"})  # noqa: S310
    answer = opener.open(request)  # follows the redirect to the dashboard
    assert "Registered now" in answer.read().decode()
    return answer.status


def test_make_run_prints_the_box_last_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("ALLOWED_HOSTS", "DEMO")},
        "DATABASE_URL": "",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "voipadmin.settings",
        "VOIPADMIN_VAR_DIR": str(tmp_path),
        "PORT": str(port),
    }
    env.pop("MEDIA_ROOT", None)
    # a small demo first, so the script's own seed_demo finds it and the test stays short
    for step in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "seed_demo", "--scale", "0.05"]):
        done = run(step, env)
        assert done.returncode == 0, done.stdout + done.stderr
    process = subprocess.Popen(
        [str(ROOT / "bin" / "run-console")],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = read_until_box(process)
        top = max(index for index, text in enumerate(lines[:-1]) if re.fullmatch(r"\+-+\+", text))
        box = "\n".join(lines[top:])
        url = f"http://127.0.0.1:{port}/"
        assert f"URL:       {url}" in box and "login:     admin" in box and "Ctrl-C stops everything." in box
        assert lines[top - 1].startswith("Celery worker and beat running") and "demo traffic: on" in lines[top - 1]
        password = re.search(r"password:  (\S+)", box).group(1)
        time.sleep(0.5)  # the log tail starts right after the box
        assert log_in(url, password) == 200
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, rest
    assert '"GET /login/ HTTP/1.1" 200' in rest  # the access log follows the box
    assert rest.rstrip().endswith("Stopped.")
    ps = shutil.which("ps") or "/bin/ps"
    left = subprocess.run([ps, "-o", "pid=,args=", "-s", str(process.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", left.stdout  # gunicorn, worker, beat and the log tail are gone
