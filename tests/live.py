"""Run the real server in a child process, as ``courier run`` starts it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str, *args: str, env: dict | None = None,
                 command: str = "run"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "COURIER_DATABASE_URL": database_url,
                    "COURIER_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                    "COURIER_DISPATCH_AUTORUN": "false",
                    # work offered as soon as it is planned (tests/test_holding.py holds it)
                    "COURIER_DISPATCH_HOLD_S": "0", "COURIER_DISPATCH_AHEAD_S": "0",
                    "COURIER_WEATHER_PROVIDER": "none",  # no test asks the internet
                    **(env or {})}
        self.argv = [sys.executable, "-m", "courier", command, "--port", str(self.port), *args]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> LiveServer:
        # The server's log goes to a file: a pipe nobody reads fills up after ~64 KB of
        # request lines and then blocks the server mid-request.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start in time")

    def tail(self, lines: int = 200) -> list[str]:
        """The last lines the server logged, for a failure's report."""
        if getattr(self, "log", None) is None:
            return []
        self.log.flush()
        self.log.seek(0)
        return self.log.read().splitlines()[-lines:]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None
