"""The federation's periodic work, run by the worker beside dispatch (and by the embedded
server): asks left unanswered are timed out, the news of jobs we carry is queued, the
outbox is sent, and now and then the council's rule hands jobs over."""

from __future__ import annotations

import logging

from flask import current_app

from courier.clock import Every
from courier.extensions import db
from courier.federation import (  # noqa: F401 (track: the answers to withdrawals)
    handoffs,
    news,
    outbox,
    relay_follow,
    rules,
    track,
)
from courier.outbox import SenderLoop

log = logging.getLogger(__name__)
_scans = Every()


def tick() -> int:
    """One pass (in an app context); returns how much it did (0: nothing was due)."""
    done = handoffs.sweep_stale()
    done += news.tell()
    db.session.commit()
    done += relay_follow.relay_events()  # relays: the first leg's progress, given-up ones
    done += outbox.send_due()
    every = float(current_app.config["FEDERATION_SCAN_S"])
    if _scans.due(every):
        done += rules.scan()
        db.session.commit()
    return done


def start_sender(app) -> SenderLoop:
    """The worker's thread for the federation: sends the outbox as soon as a commit wrote
    to it, and runs :func:`tick` every ``FEDERATION_POLL_S`` otherwise."""
    return SenderLoop(app, "federation", tick, outbox.wake,
                      app.config["FEDERATION_POLL_S"]).start()
