"""`courier demo` as a person starts it writes the coop's Web Push key (offers pushed to
the demo couriers' phones) and serves its public half to the courier's page."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time

import requests
from cryptography.hazmat.primitives import serialization

from tests.live import free_port


def test_the_demo_writes_the_push_key_and_serves_its_public_half(tmp_path):
    port, key = free_port(), tmp_path / "keys" / "vapid_private.pem"
    env = {**os.environ, "COURIER_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}",
           "COURIER_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
           "COURIER_PUSH_VAPID_KEY_FILE": str(key)}
    log = (tmp_path / "out.txt").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "courier", "demo", "--port", str(port),
                             "--no-history"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            text=True, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.seek(0) or log.read()
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, log.seek(0) or log.read()
            time.sleep(0.3)
        assert key.stat().st_mode & 0o077 == 0  # the owner's only
        private = serialization.load_pem_private_key(key.read_bytes(), None)
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

        ana = requests.Session()
        csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                         ana.get(f"{base}/login", timeout=10).text).group(1)
        r = ana.post(f"{base}/login", data={"email": "ana@demo.coop", "password": "demo",
                                            "csrf_token": csrf}, timeout=10,
                     allow_redirects=False)
        assert r.status_code == 302, r.text
        served = ana.get(f"{base}/api/v1/push/key", timeout=10).json()
        assert served["enabled"] is True
        b64 = served["public_key"]
        raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        assert raw == public  # the browser subscribes with the key the demo wrote
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
