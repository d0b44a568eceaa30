"""Keeps the demo city alive: shops submit jobs, simulated couriers go on shift, take
their offers, ride their runs, mark each stop, take breaks and go home.

Everything runs on the app's one clock (:mod:`courier.clock`): each tick rides for
exactly the time the clock moved since the last one, at the speed dispatch plans
with, so time on shift, riding and pay always agree, at any demo speed. Everything
goes through the same operations a real shop or courier uses.
"""

from __future__ import annotations

import logging
import math
import random
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from courier.demo import duty
from courier.demo.seed import CITY
from courier.dispatch import operations, runs, timing
from courier.errors import DomainError
from courier.extensions import db, socketio
from courier.models import Job, JobStatus, Run, RunStatus, StopKind, User, Vehicle, utcnow
from courier.shops import submit

log = logging.getLogger(__name__)
ARRIVED_M = 25
GIVE_UP = timedelta(minutes=30)


def _metres(lat, lon, tlat, tlon) -> float:
    """Straight-line metres between two points; flat-earth is plenty at a city's scale."""
    dy = (tlat - lat) * 111_320
    dx = (tlon - lon) * 111_320 * math.cos(math.radians(lat))
    return math.hypot(dx, dy)


def _step_towards(lat, lon, tlat, tlon, metres):
    """Move up to ``metres`` from (lat, lon) towards the target. Returns the new position
    and the metres still to go."""
    dist = _metres(lat, lon, tlat, tlon)
    if dist <= metres or dist == 0:
        return tlat, tlon, 0.0
    f = metres / dist
    return lat + (tlat - lat) * f, lon + (tlon - lon) * f, dist - metres


def straight_line_mps(vehicle: Vehicle) -> float:
    """How fast a courier closes the straight line to a stop: the speed dispatch plans
    with, the streets' detour and a cargo bike's slower legs taken out."""
    cfg = current_app.config
    mps = cfg["BIKE_SPEED_KMH"] / 3.6 / cfg["DETOUR_FACTOR"]
    return mps / cfg["CARGO_SPEED_FACTOR"] if vehicle == Vehicle.CARGO_BIKE else mps


class Simulator:
    """``job_every``: mean seconds of the clock between two jobs; ``think_s``: how long a
    simulated courier looks at an offer before accepting it."""

    def __init__(self, app: Flask, job_every: float = 360.0, seed=None, think_s: float = 20.0):
        self.app, self.job_every, self.think_s = app, job_every, think_s
        self.rng = random.Random(seed)
        self.courier_emails = [c["email"] for c in CITY["couriers"] if c["simulated"]]
        self.last: datetime | None = None  # the clock at the previous tick
        self.next_job: datetime | None = None
        self.service_left: dict[int, float] = {}  # courier id -> seconds left at a stop
        self.duty = duty.Duty(self.rng)

    def _users(self, emails):
        return db.session.scalars(select(User).where(User.email.in_(emails))).all()

    def submit_job(self, now: datetime) -> None:
        shop_email = self.rng.choice(CITY["shops"])["email"]
        place = self.rng.choice(CITY["places"])
        (shop,) = self._users([shop_email])
        data = {
            "dropoff": {"lat": place["lat"] + self.rng.uniform(-0.004, 0.004),
                        "lon": place["lon"] + self.rng.uniform(-0.005, 0.005),
                        "address": f"{place['name']}, {CITY['city']}"},
            "weight_kg": round(self.rng.choice([0.5, 1, 2, 3, 5, 8, 12, 25]), 1),
            "volume_l": round(self.rng.uniform(2, 40), 1),
            "ready_at": now, "deliver_by": now + timedelta(minutes=self.rng.choice([45, 60, 90])),
            "recipient": {"name": self.rng.choice(["Léa", "Hugo", "Inès", "Nathan", "Zoé"]),
                          "phone": "04 00 00 00 00"},
        }
        submit.submit_job(shop, data, now=now)

    def _jobs_due(self, now: datetime) -> None:
        """The shops' new jobs up to ``now``; a shop gives up on a job nobody took half
        an hour past its deadline."""
        if self.next_job is None:
            self.next_job = now
        while self.next_job <= now:
            self.submit_job(self.next_job)
            db.session.commit()
            self.next_job += timedelta(seconds=self.rng.expovariate(1 / self.job_every))
        shops = [m.id for u in self._users([s["email"] for s in CITY["shops"]])
                 if (m := u.merchant) is not None]
        stale = db.session.scalars(select(Job).where(
            Job.status == JobStatus.PENDING, Job.merchant_id.in_(shops),
            Job.solidarity.is_(False), Job.deliver_by < now - GIVE_UP)).all()
        for job in stale:
            try:
                operations.cancel_job(job.merchant.user, job, "no courier came in time")
                db.session.commit()
            except DomainError:  # taken meanwhile
                db.session.rollback()

    def move_courier(self, user: User, now: datetime, dt: float) -> None:
        """One courier's share of a tick: shifts and breaks, offers, riding."""
        courier = user.courier
        current = db.session.scalars(select(Run).where(
            Run.courier_id == courier.id,
            Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED])).order_by(Run.id)).all()
        self.duty.look(user, now, busy=bool(current))
        if not courier.on_shift or self.duty.on_break(courier.id):
            return
        for run in current:  # look at an offer for a few seconds, then accept
            if run.status == RunStatus.OFFERED and now - run.created_at >= timedelta(
                    seconds=self.think_s):
                runs.accept_run(user, run, now=now)
        accepted = [r for r in current if r.status == RunStatus.ACCEPTED]
        if accepted:
            self._ride(user, accepted[0], dt)

    def _ride(self, user: User, run: Run, dt: float) -> None:
        """Ride ``run`` for ``dt`` seconds: towards the next stop, then the stop's service
        time, then mark it, and on to the next one while time is left."""
        courier, cfg = user.courier, current_app.config
        mps = straight_line_mps(courier.vehicle)
        left = dt
        while left > 0:
            stop = next((s for s in run.stops if timing.to_do(s)), None)  # returns too
            if stop is None:
                return
            dist = _metres(courier.lat, courier.lon, stop.lat, stop.lon)
            if dist > ARRIVED_M and courier.id not in self.service_left:
                riding = min(left, dist / mps)
                lat, lon, to_go = _step_towards(courier.lat, courier.lon, stop.lat, stop.lon,
                                                mps * riding)
                left -= riding
                operations.update_position(user, lat, lon)
                if to_go > ARRIVED_M:
                    return
            service = self.service_left.setdefault(courier.id, float(
                cfg["PICKUP_SERVICE_S"] if stop.kind == StopKind.PICKUP
                else cfg["DROPOFF_SERVICE_S"]))
            if left < service:
                self.service_left[courier.id] = service - max(left, 0.0)
                return
            left -= service
            del self.service_left[courier.id]
            self._mark(user, stop)

    def _mark(self, user: User, stop) -> None:
        if stop.kind == StopKind.PICKUP:
            runs.mark_picked_up(user, stop.job)
        elif stop.kind == StopKind.RETURN:
            runs.mark_returned(user, stop.job)
        elif self.rng.random() < 0.03:
            runs.mark_failed(user, stop.job, "recipient absent")
        else:
            runs.mark_delivered(user, stop.job)

    def tick(self) -> None:
        """Move the city on to the clock's time now."""
        with self.app.app_context():
            try:
                now = utcnow()
                dt = 0.0 if self.last is None else max(0.0, (now - self.last).total_seconds())
                self.last = now
                self._jobs_due(now)
                for user in self._users(self.courier_emails):
                    try:
                        self.move_courier(user, now, dt)
                        db.session.commit()
                    except DomainError as err:  # a race with a real user, or the rules
                        db.session.rollback()
                        log.info("simulator: %s: %s", user.name, err.message)
            except Exception:
                db.session.rollback()
                log.exception("simulator")
            finally:
                db.session.remove()

    def run_forever(self) -> None:
        while True:
            self.tick()
            socketio.sleep(1.0)


def start(app: Flask) -> Simulator:
    """Simulate the city beside the web server, on the app's clock."""
    sim = Simulator(app)
    socketio.start_background_task(sim.run_forever)
    return sim
