"""A push service on loopback, for the tests: it hands out subscriptions as a browser's
push service would (an endpoint, and the browser's P-256 key pair and auth secret),
receives what the server sends to them, checks the VAPID JWT (RFC 8292) and decrypts
the payload (RFC 8291, aes128gcm) with the same library family pywebpush encrypts with
(``http_ece``, ``py_vapid``). Each endpoint answers with a script of status codes (201
once the script is used up)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Device:
    """A browser's subscription: what it gives the server, and what it keeps."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    answers: list[int] = field(default_factory=list)  # status codes to answer, in turn

    @property
    def keys(self) -> dict:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64(public), "auth": b64(self.auth)}

    def subscription(self) -> dict:
        """As ``PushSubscription.toJSON()`` gives it."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": self.keys}


@dataclass
class Received:
    device: Device
    headers: dict
    body: bytes
    status: int
    at: float

    def payload(self) -> dict:
        """The message, decrypted with the device's private key and auth secret."""
        assert self.headers.get("content-encoding") == "aes128gcm", self.headers
        plain = http_ece.decrypt(self.body, private_key=self.device.private_key,
                                 auth_secret=self.device.auth, version="aes128gcm")
        return json.loads(plain)

    def vapid(self, server_key: str) -> dict:
        """The VAPID claims, once its signature is checked against ``server_key``; the
        JWT's audience must be the endpoint's origin and it must expire within 24 h."""
        scheme, _, params = self.headers["authorization"].partition(" ")
        assert scheme == "vapid", self.headers["authorization"]
        parts = dict(p.split("=", 1) for p in params.split(","))
        assert parts["k"] == server_key, "signed with another key than the server's public one"
        claims = jwt.decode(parts["t"], parts["k"])  # raises InvalidSignature if forged
        origin = self.device.endpoint.split("/push/")[0]
        assert claims["aud"] == origin, claims
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
        assert claims["sub"].startswith(("mailto:", "https:")), claims
        return claims


class PushService:
    def __init__(self):
        self.devices: dict[str, Device] = {}
        self.received: list[Received] = []
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                token = self.path.rsplit("/", 1)[-1]
                with service.lock:
                    device = service.devices.get(token)
                    status = (device.answers.pop(0) if device and device.answers
                              else 201 if device else 404)
                    if device is not None:
                        service.received.append(Received(
                            device, {k.lower(): v for k, v in self.headers.items()}, body,
                            status, time.time()))
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "3")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> PushService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def device(self, *answers: int) -> Device:
        """A new subscription, answering ``answers`` to its first messages."""
        token = secrets.token_urlsafe(12)
        dev = Device(f"{self.url}/push/{token}", ec.generate_private_key(ec.SECP256R1()),
                     secrets.token_bytes(16), list(answers))
        self.devices[token] = dev
        return dev

    def to(self, device: Device) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.device is device]
