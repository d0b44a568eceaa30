"""How many requests run the app at once in one web process.

A web process serves each connection on a thread of its own (a websocket holds one for as
long as it is open), and its threads share one interpreter lock: forty requests in flight
spend much of their CPU handing the lock to one another, a few spend it on the requests.
Past ``MAX_CONCURRENT_REQUESTS`` at once, a request waits its turn blocked on a semaphore,
where it costs nothing; Socket.IO's own requests (websockets, long polls) never wait.
"""

from __future__ import annotations

import threading


class Admission:
    """WSGI middleware: at most ``limit`` requests inside ``app`` at once."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit
        self.slots = threading.BoundedSemaphore(limit)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/socket.io"):
            return self.app(environ, start_response)
        with self.slots:
            return self.app(environ, start_response)


def init_app(app) -> None:
    limit = int(app.config.get("MAX_CONCURRENT_REQUESTS") or 0)
    if limit > 0:
        app.wsgi_app = Admission(app.wsgi_app, limit)
