"""`courier demo --federation` as a person starts it: two neighbouring coops (Lyon and
Villeurbanne), two real servers on two ports, each on a SQLite file of its own, paired by
themselves, and Lyon's parcels for Villeurbanne's streets handed over live."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.live import free_port


def two_free_ports() -> int:
    for _ in range(20):
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    pytest.skip("no two free ports side by side")


def test_two_coops_start_pair_and_pass_a_parcel(tmp_path):
    port = two_free_ports()
    env = {**os.environ, "COURIER_DATABASE_URL": f"sqlite:///{tmp_path / 'main.sqlite'}",
           "COURIER_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    log = (tmp_path / "out.txt").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "courier", "demo", "--federation", "--port", str(port),
         "--no-history"], env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        cwd=tmp_path)
    try:
        deadline, out = time.monotonic() + 120, ""
        while time.monotonic() < deadline and "via the relay hub): accepted" not in out:
            assert proc.poll() is None, out
            time.sleep(0.5)
            log.seek(0)
            out = log.read()
        assert "Paired now." in out, out
        assert "via the relay hub): accepted" in out, out
        for p in (port, port + 1):
            assert requests.get(f"http://127.0.0.1:{p}/healthz", timeout=5).ok
        page = requests.get(f"http://127.0.0.1:{port + 1}/.well-known/courier-coop",
                            timeout=5).json()
        assert page["name"] == "Courier Villeurbanne (demo)"
        assert (tmp_path / "federation-lyon.sqlite").exists()  # beside the demo's database
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
    for p in (port, port + 1):  # both servers stopped with it
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{p}/healthz", timeout=2)
