"""A small HTTP client on one keep-alive connection: a logged-in browser, or an API client."""

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

TIMING = re.compile(r"app;dur=([0-9.]+)")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    body: bytes
    wall_ms: float  # request sent to body read, on the client
    server_ms: float | None  # Server-Timing app;dur (bench/wsgi.py)
    headers: dict[str, str]


class Client:
    def __init__(self, address: tuple[str, int], *, token: str | None = None):
        self.address = address
        self.cookies: dict[str, str] = {}
        self.token = token
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(*self.address, timeout=1800)

    def _headers(self, extra: dict | None) -> dict:
        headers = {"Host": f"{self.address[0]}:{self.address[1]}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def open(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """Send a request and return the response with its body unread (reconnects once if the
        server closed the idle connection)."""
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=self._headers(headers))
                response = self.connection.getresponse()
                self._keep_cookies(response)
                return response
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = self._connect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        started = time.perf_counter()
        response = self.open(method, path, body, headers)
        data = response.read()
        wall = (time.perf_counter() - started) * 1000
        timing = TIMING.search(response.headers.get("Server-Timing", ""))
        return Reply(
            status=response.status,
            body=data,
            wall_ms=wall,
            server_ms=float(timing.group(1)) if timing else None,
            headers=dict(response.headers.items()),
        )

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post_json(self, path: str, body: bytes) -> Reply:
        return self.request("POST", path, body, {"Content-Type": "application/json"})

    def login(self, username: str, password: str) -> None:
        """Through the console's login form, as a person does (CSRF cookie and token included)."""
        form = self.get("/login/")
        token = CSRF_INPUT.search(form.body.decode())
        if form.status != 200 or token is None:
            raise SystemExit(f"bench: the login page answered {form.status}")
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)})
        reply = self.request(
            "POST",
            "/login/",
            body.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{self.address[0]}/login/"},
        )
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"bench: logging in as {username} failed ({reply.status})")

    def download(self, path: str, chunk: int = 1 << 18) -> tuple[int, int, int, float]:
        """Read a streamed response to its end: (status, bytes, lines, seconds)."""
        started = time.perf_counter()
        response = self.open("GET", path)
        size = lines = 0
        while True:
            block = response.read(chunk)
            if not block:
                break
            size += len(block)
            lines += block.count(b"\n")
        return response.status, size, lines, time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()
