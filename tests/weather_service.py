"""Open-Meteo's forecast API on loopback, for the tests: it answers ``GET /v1/forecast`` with
the ``current`` block it is given (or a status code, or after a delay), and keeps each
request's query."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeOpenMeteo:
    def __init__(self):
        self.current = {"time": "2026-03-04T09:00", "interval": 900, "temperature_2m": 35.2,
                        "wind_gusts_10m": 22.0, "precipitation": 0.5}
        self.status, self.delay = 200, 0.0
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                url = urlparse(self.path)
                service.requests.append({k: v[0] for k, v in parse_qs(url.query).items()})
                time.sleep(service.delay)
                if url.path != "/v1/forecast" or service.status != 200:
                    body = json.dumps({"error": True, "reason": "down"}).encode()
                    self.send_response(service.status if url.path == "/v1/forecast" else 404)
                else:
                    body = json.dumps({"latitude": 45.76, "longitude": 4.84,
                                       "current": service.current}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/forecast"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenMeteo:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
