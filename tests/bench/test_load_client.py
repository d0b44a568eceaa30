"""The load benchmark's lean HTTP client (scripts/bench_load.py) against a real server."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from bench_load import Client  # noqa: E402


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    connections: set = set()

    def do_POST(self):  # noqa: N802 - the stdlib's name
        Echo.connections.add(self.client_address)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = json.dumps({"got": json.loads(body), "key": self.headers["Idempotency-Key"]})
        self.send_response(201 if self.path == "/ok" else 422)
        self.send_header("Content-Length", str(len(answer)))
        if self.path == "/bye":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    Echo.connections = set()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_requests_share_one_connection_and_read_status_and_body(server):
    client = Client(server)
    statuses = [client.post("/ok", json.dumps({"n": i}).encode(), {"Idempotency-Key": f"k{i}"})
                for i in range(3)]
    assert statuses == [201, 201, 201]
    assert len(Echo.connections) == 1 and client.buf == b""
    assert client.post("/bad", b"{}", {"Idempotency-Key": "x"}) == 422
    client.close()


def test_a_closing_server_makes_the_client_reconnect(server):
    client = Client(server)
    assert client.post("/bye", b"{}", {"Idempotency-Key": "a"}) == 422
    assert client.sock is None
    assert client.post("/ok", b"{}", {"Idempotency-Key": "b"}) == 201
    assert len(Echo.connections) == 2
    client.close()
