"""At most MAX_CONCURRENT_REQUESTS requests run the app at once; Socket.IO never waits."""

from __future__ import annotations

import threading
import time

from courier.web.admission import Admission


def _slow_app(inside: list, peak: list, lock: threading.Lock):
    def app(environ, start_response):
        with lock:
            inside.append(1)
            peak.append(len(inside))
        time.sleep(0.05)
        with lock:
            inside.pop()
        start_response("200 OK", [])
        return [b"ok"]
    return app


def _call_many(app, paths):
    threads = [threading.Thread(target=app, args=({"PATH_INFO": p}, lambda *a: None))
               for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_no_more_requests_than_the_limit_run_at_once():
    inside, peak, lock = [], [], threading.Lock()
    _call_many(Admission(_slow_app(inside, peak, lock), 2), ["/api/v1/jobs"] * 8)
    assert len(peak) == 8 and max(peak) == 2


def test_socketio_requests_never_wait_for_a_slot():
    inside, peak, lock = [], [], threading.Lock()
    _call_many(Admission(_slow_app(inside, peak, lock), 1), ["/socket.io/"] * 6)
    assert max(peak) > 1


def test_the_app_is_wrapped_with_the_configured_limit(app):
    assert isinstance(app.wsgi_app, Admission)
    assert app.wsgi_app.limit == app.config["MAX_CONCURRENT_REQUESTS"] == 8
