"""Cycles that run by themselves: expire lapsed offers every second, and plan
pending jobs every ``DISPATCH_INTERVAL`` seconds while there are any and something
changed since the last cycle (:mod:`courier.dispatch.wake`)."""

from __future__ import annotations

import logging
import time

from flask import Flask
from sqlalchemy import exists, select

from courier.dispatch import conditions, eta, retention, wake
from courier.dispatch.cycle import run_cycle
from courier.dispatch.runs import expire_offers
from courier.errors import Conflict
from courier.extensions import db
from courier.messages import soon as messages_soon
from courier.models import Job, JobStatus, utcnow
from courier.shops import recurring
from courier.solidarity.rounds import tick as rounds_tick

log = logging.getLogger(__name__)
MARK = "courier.dispatch.wake"  # app.extensions: what the last cycle of this process left


def tick(app: Flask, last_cycle: float, now: float | None = None) -> float:
    """One pass of the loop. Returns when the last cycle ran."""
    now = time.monotonic() if now is None else now
    with app.app_context():
        try:
            if expire_offers():
                db.session.commit()
            if rounds_tick():  # food hubs' rounds: made a week ahead, released at cut-off
                db.session.commit()
            if retention.sweep_if_due(app.config["RETENTION_SWEEP_S"]):  # recipients' data
                db.session.commit()
            conditions.refresh_if_due(app)  # the weather, asked in a thread of its own
            eta.sweep()  # ETAs as time passes; late offers withdrawn (never raises)
            db.session.commit()
            recurring.make_due()  # shops' recurring jobs, made ahead (each committed)
            if messages_soon.tick():  # "arriving soon" to recipients
                db.session.commit()
            pending = db.session.scalar(select(exists().where(Job.status == JobStatus.PENDING)))
            if pending and now - last_cycle >= app.config["DISPATCH_INTERVAL"]:
                last_cycle = now
                at = utcnow()
                if wake.due(app.extensions.get(MARK), at):  # else nothing to decide
                    result = run_cycle(now=at)
                    app.extensions[MARK] = wake.after(at, result.due)
        except Conflict:
            pass  # another process runs this cycle
        except Exception:
            log.exception("dispatch loop")
            db.session.rollback()
        finally:
            db.session.remove()
    return last_cycle


def loop(app: Flask, sleep, stop=lambda: False) -> None:
    """Run ``tick`` forever (or until ``stop()``), sleeping with ``sleep``."""
    last = time.monotonic() - app.config["DISPATCH_INTERVAL"] + 2  # first cycle soon
    while not stop():
        last = tick(app, last)
        sleep(1)


def start_in_background(app: Flask) -> None:
    """Start the loop beside the web server (the embedded, single-process setup)."""
    from courier.extensions import socketio

    socketio.start_background_task(loop, app, socketio.sleep)
    log.info("dispatch loop started (every %ss)", app.config["DISPATCH_INTERVAL"])
