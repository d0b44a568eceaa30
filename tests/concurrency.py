"""Work started at the same instant in several threads, as two worker processes (or a
worker restarted while the old one still runs) would look at the same rows at once."""

from __future__ import annotations

import threading

from courier.extensions import db


def at_once(app, work, threads: int = 2, timeout: float = 60) -> list:
    """What ``work()`` returned in each of ``threads`` threads, each in its own app
    context, all let go together."""
    start, out = threading.Barrier(threads), []

    def run():
        with app.app_context():
            start.wait()
            try:
                out.append(work())
            finally:
                db.session.remove()

    running = [threading.Thread(target=run) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join(timeout)
    return out
