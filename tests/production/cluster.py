"""Real production processes for tests: gunicorn web processes (as deploy/ runs them)
and ``courier worker``, on PostgreSQL, talking to each other through Redis.

Each cluster uses a Socket.IO channel and a rate-limit key prefix of its own, so that
test runs of several people on the same Redis never hear each other.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("COURIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class Proc:
    """One child process with its log in a file; started in a session of its own so that
    a kill reaches the gunicorn master and its worker together."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path):
        self.name, self.argv, self.env = name, argv, env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Proc:
        log = open(self.log_path, "a")  # noqa: SIM115 - closed with the process
        log.write(f"--- start {' '.join(self.argv)}\n")
        log.flush()
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, no goodbye: the crash of the whole process group."""
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class Web(Proc):
    """A gunicorn instance serving wsgi:app with deploy/gunicorn.conf.py."""

    def __init__(self, name, env, log_dir, port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--chdir", str(ROOT), "wsgi:app"]
        super().__init__(name, argv, {**env, "COURIER_BIND": f"127.0.0.1:{self.port}"}, log_dir)

    def wait_ready(self, timeout: float = 60) -> Web:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in time:\n{self.log()}")


class Worker(Proc):
    def __init__(self, name, env, log_dir):
        super().__init__(name, [sys.executable, "-m", "courier", "worker"], env, log_dir)

    def wait_ready(self, timeout: float = 60) -> Worker:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited:\n{self.log()}")
            if "dispatch worker:" in self.log():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in time:\n{self.log()}")


class Cluster:
    """Web processes and workers sharing one database, one Redis channel and one config."""

    def __init__(self, database_url: str, log_dir: Path, **config):
        self.channel = f"courier-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "COURIER_DATABASE_URL": database_url,
            "COURIER_SECRET_KEY": "cluster-test-secret-" + "x" * 20,
            "COURIER_SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
            "COURIER_SOCKETIO_CHANNEL": self.channel,
            "COURIER_RATELIMIT_KEY_PREFIX": self.channel,
            "COURIER_DISPATCH_AUTORUN": "false",
            # work offered as soon as it is planned (tests/test_holding.py holds it)
            "COURIER_DISPATCH_HOLD_S": "0", "COURIER_DISPATCH_AHEAD_S": "0",
            "COURIER_AUTO_MIGRATE": "false",
            "COURIER_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "COURIER_ACCESS_LOG": "",
            "COURIER_THREADS": "64",
            **{f"COURIER_{k}": str(v) for k, v in config.items()},
        }
        self.procs: list[Proc] = []

    def web(self, name: str, **kw) -> Web:
        proc = Web(name, self.env, self.log_dir, **kw)
        self.procs.append(proc)
        return proc

    def worker(self, name: str = "worker") -> Worker:
        proc = Worker(name, self.env, self.log_dir)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            proc.stop()
