"""Keeps the demo city alive: shops submit jobs, simulated couriers take their
offers, ride their runs (faster than real time) and mark each stop.

Everything goes through the same operations a real shop or courier uses.
"""

from __future__ import annotations

import logging
import math
import random
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from courier.demo.seed import CITY
from courier.dispatch import operations, runs
from courier.errors import DomainError
from courier.extensions import db, socketio
from courier.models import JobStatus, Run, RunStatus, StopKind, User, utcnow
from courier.shops import submit

log = logging.getLogger(__name__)
BIKE_MPS = 4.2
ARRIVED_M = 25


def _step_towards(lat, lon, tlat, tlon, metres):
    """Move up to ``metres`` from (lat, lon) towards the target; flat-earth is plenty here."""
    dy = (tlat - lat) * 111_320
    dx = (tlon - lon) * 111_320 * math.cos(math.radians(lat))
    dist = math.hypot(dx, dy)
    if dist <= metres or dist == 0:
        return tlat, tlon, 0.0
    f = metres / dist
    return lat + (tlat - lat) * f, lon + (tlon - lon) * f, dist - metres


class Simulator:
    def __init__(self, app: Flask, speed: float = 10.0, job_every: float = 15.0, seed=None):
        self.app, self.speed, self.job_every = app, speed, job_every
        self.rng = random.Random(seed)
        self.since_job = job_every
        emails = [c["email"] for c in CITY["couriers"] if c["simulated"]]
        self.courier_emails = emails
        self.offer_age: dict[int, float] = {}  # run id -> seconds since we saw the offer

    def _users(self, emails):
        return db.session.scalars(select(User).where(User.email.in_(emails))).all()

    def submit_job(self) -> None:
        shop_email = self.rng.choice(CITY["shops"])["email"]
        place = self.rng.choice(CITY["places"])
        (shop,) = self._users([shop_email])
        now = utcnow()
        data = {
            "dropoff": {"lat": place["lat"] + self.rng.uniform(-0.004, 0.004),
                        "lon": place["lon"] + self.rng.uniform(-0.005, 0.005),
                        "address": f"{place['name']}, Lyon"},
            "weight_kg": round(self.rng.choice([0.5, 1, 2, 3, 5, 8, 12, 25]), 1),
            "volume_l": round(self.rng.uniform(2, 40), 1),
            "ready_at": now, "deliver_by": now + timedelta(minutes=self.rng.choice([45, 60, 90])),
            "recipient": {"name": self.rng.choice(["Léa", "Hugo", "Inès", "Nathan", "Zoé"]),
                          "phone": "04 00 00 00 00"},
        }
        submit.submit_job(shop, data)

    def move_couriers(self, dt: float) -> None:
        for user in self._users(self.courier_emails):
            courier = user.courier
            if not courier.on_shift:
                operations.set_shift(user, True)
                continue
            current = db.session.scalars(select(Run).where(
                Run.courier_id == courier.id,
                Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED])).order_by(Run.id)).all()
            offered = [r for r in current if r.status == RunStatus.OFFERED]
            for run in offered:  # think it over for a few seconds, then accept
                self.offer_age[run.id] = self.offer_age.get(run.id, -dt) + dt
                if self.offer_age[run.id] >= 3:
                    runs.accept_run(user, run)
            accepted = [r for r in current if r.status == RunStatus.ACCEPTED]
            if accepted:
                self._ride(user, accepted[0], dt)

    def _ride(self, user: User, run: Run, dt: float) -> None:
        courier = user.courier
        stop = next((s for s in run.stops if s.done_at is None
                     and s.job.status in (JobStatus.ACCEPTED, JobStatus.PICKED_UP)), None)
        if stop is None:
            return
        lat, lon, left = _step_towards(courier.lat, courier.lon, stop.lat, stop.lon,
                                       BIKE_MPS * self.speed * dt)
        operations.update_position(user, lat, lon)
        if left <= ARRIVED_M:
            if stop.kind == StopKind.PICKUP:
                runs.mark_picked_up(user, stop.job)
            elif self.rng.random() < 0.03:
                runs.mark_failed(user, stop.job, "recipient absent")
            else:
                runs.mark_delivered(user, stop.job)

    def tick(self, dt: float = 1.0) -> None:
        with self.app.app_context():
            try:
                self.since_job += dt
                if self.since_job >= self.job_every:
                    self.since_job = 0
                    self.submit_job()
                    db.session.commit()
                self.move_couriers(dt)
                db.session.commit()
            except DomainError as err:  # a race with a real user: try again next tick
                db.session.rollback()
                log.info("simulator: %s", err.message)
            except Exception:
                db.session.rollback()
                log.exception("simulator")
            finally:
                db.session.remove()

    def run_forever(self) -> None:
        while True:
            self.tick(1.0)
            socketio.sleep(1.0)


def start(app: Flask, speed: float = 10.0) -> Simulator:
    sim = Simulator(app, speed=speed)
    socketio.start_background_task(sim.run_forever)
    return sim
