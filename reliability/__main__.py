"""`make reliability`: every figure of docs/reliability.md, printed and written to
var/reliability/results.md. Bounded: each step has its own time limit (about 45 minutes in all at
100 examples; RELIABILITY_EXAMPLES=10 for a quick look)."""

import json
import os
import subprocess
import sys
import time

from . import api_fuzz, crash, outage, replay
from .stage import PYTHON, ROOT, environment, prepare, start_console, stop_console

RESULTS = ROOT / "var" / "reliability" / "results.md"
STEPS = ("deploy", "schemathesis", "replay", "outage", "crash", "deletion")
# RELIABILITY_STEPS=replay,crash runs only those (a figure to refresh without the hour of the rest).
WANTED = set(os.environ.get("RELIABILITY_STEPS", ",".join(STEPS)).split(","))


def deploy_check() -> dict:
    done = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment(SECURE_SSL_REDIRECT="1", SECURE_COOKIES="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    return {"exit": done.returncode, "output": (done.stdout + done.stderr).strip().splitlines()[-1:]}


def deletion_worker_loss() -> dict:
    """The real-worker SIGKILL tests of the suite (tests/reliability/test_deletion_worker_loss.py)."""
    done = subprocess.run(
        [PYTHON, "-m", "pytest", "tests/reliability/test_deletion_worker_loss.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return {"exit": done.returncode, "summary": done.stdout.strip().splitlines()[-1:]}


def main() -> int:
    figures: dict = {}
    began = time.monotonic()
    tokens = prepare()
    console = start_console()
    try:
        if "deploy" in WANTED:
            figures["check --deploy"] = deploy_check()
        if "schemathesis" in WANTED:
            figures["schemathesis"] = [api_fuzz.run(role, token) for role, token in tokens.items()]
        if "replay" in WANTED:
            figures["replay"] = replay.run(tokens["ingest"])
        if "outage" in WANTED:
            result = outage.run(console)
            console = result.pop("console")
            figures["outage"] = result
    finally:
        stop_console(console)
    if "crash" in WANTED:
        figures["crash: reconcile_sip_events"] = crash.run()
    if "deletion" in WANTED:
        figures["crash: worker killed during a filtered delete"] = deletion_worker_loss()
    figures["seconds"] = round(time.monotonic() - began)
    text = json.dumps(figures, indent=2, default=str)
    RESULTS.write_text(f"# make reliability\n\n```json\n{text}\n```\n")
    print(text)
    return 1 if failures(figures) else 0


def failures(figures: dict) -> list[str]:
    """The figures that miss their target."""
    missed = []
    if figures.get("check --deploy", {}).get("exit"):
        missed.append("check --deploy")
    for run in figures.get("schemathesis", []):
        if run["server_errors"] or run["schema_violations"] or not run["operations"]:
            missed.append(f"schemathesis ({run['role']})")
    for row in figures.get("replay", []):
        if (
            row["stored"] != row["items"]
            or row["unique"] != row["items"]
            or row["bad_stored"]
            or row["bad_status"] != 400
        ):
            missed.append(f"replay ({row['resource']})")
    if figures.get("outage", {}).get("lost") or figures.get("outage", {}).get("doubled"):
        missed.append("outage")
    if not figures.get("crash: reconcile_sip_events", {}).get("equal_to_uninterrupted", True):
        missed.append("crash: reconcile_sip_events")
    if figures.get("crash: worker killed during a filtered delete", {}).get("exit"):
        missed.append("crash: filtered delete")
    if missed:
        print("MISSED: " + ", ".join(missed), file=sys.stderr)
    return missed


if __name__ == "__main__":
    sys.exit(main())
