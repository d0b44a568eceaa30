"""The production start-up script as it runs: each gunicorn instance it starts has a
control socket of its own (a shared one is taken over by the last instance started,
and removed by the first one stopped)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FAKE_GUNICORN = """#!{python}
# Loads the configuration as gunicorn does (command line, config file, environment), then
# records what this instance would use and waits to be stopped.
import json, os, sys, time
from gunicorn.app.wsgiapp import WSGIApplication

cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
socket = None if cfg.control_socket_disable else os.path.abspath(cfg.control_socket)
with open(os.environ["RECORD"], "a") as out:
    out.write(json.dumps({{"bind": cfg.bind, "control_socket": socket}}) + "\\n")
time.sleep(60)
"""
FAKE_COURIER = """#!/bin/sh
[ "$1" = worker ] && exec sleep 60
exit 0
"""


def _fake_venv(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, text in (("gunicorn", FAKE_GUNICORN.format(python=sys.executable)),
                       ("courier", FAKE_COURIER)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return bin_dir.parent


def _instances(tmp_path: Path, **env) -> list[dict]:
    """What each gunicorn instance of scripts/start-production.sh would use."""
    record = tmp_path / "record.jsonl"
    home = tmp_path / "home"
    home.mkdir()
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("GUNICORN", "COURIER_", "XDG_RUNTIME"))}
    full_env.update(HOME=str(home), RECORD=str(record), COURIER_VENV=str(_fake_venv(tmp_path)),
                    COURIER_SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:6379/0", **env)
    log = tmp_path / "script.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "start-production.sh")],
                                env=full_env, cwd=ROOT, start_new_session=True, stdout=out,
                                stderr=subprocess.STDOUT)
    ports = len(env.get("COURIER_WEB_PORTS", "8001 8002").split())
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            lines = record.read_text().splitlines() if record.exists() else []
            if len(lines) >= ports:
                return [json.loads(line) for line in lines]
            time.sleep(0.05)
        raise AssertionError(f"the script did not start {ports} web processes:\n"
                             f"{log.read_text()}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def test_each_web_process_of_the_start_script_has_its_own_control_socket(tmp_path):
    instances = _instances(tmp_path)
    assert len(instances) == 2
    sockets = [i["control_socket"] for i in instances]
    assert None not in sockets, "each instance keeps a control socket (for gunicornc)"
    assert len(set(sockets)) == 2, f"two web processes share a control socket: {sockets}"


def test_the_control_sockets_go_where_they_are_told(tmp_path):
    folder = tmp_path / "run"
    instances = _instances(tmp_path, COURIER_WEB_PORTS="8101 8102 8103",
                           COURIER_CONTROL_SOCKET_DIR=str(folder))
    sockets = {i["control_socket"] for i in instances}
    assert len(sockets) == 3 and all(Path(s).parent == folder for s in sockets)
