"""The couriers of ``courier bench day``: each one goes on shift, answers offers, rides
each leg and marks each stop through the operations the phone page uses, and takes the
rules' break (see :mod:`courier.bench.day_sim`, which runs them on its clock)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from courier.bench.day_plan import Shift, draw
from courier.dispatch import operations, runs, timing
from courier.dispatch.planning import travel_matrix
from courier.extensions import db
from courier.fairwork import tracking
from courier.models import Run, RunStatus, RunStop, StopKind, User
from courier.routing.geo import LatLon

# The rules' break (30 min once 6 h are worked, as the rules in force say) is taken at the
# first moment with nothing in hand from BREAK_FREE_S before it falls due, or else between
# two stops, before the first leg that would end past it: as late as the run allows, where
# dispatch plans it (courier.dispatch.gate.vehicle, courier.routing.rr_route). Offers are
# never turned down for it.
BREAK_FREE_S = 3600
LAPSE_SHARE = 1 / 3  # of the offers turned down, those left to expire rather than declined


@dataclass
class Agent:
    """One simulated courier and what they are doing (ids only: objects are looked up
    in the session of the moment)."""

    shift: Shift
    user_id: int
    pos: LatLon
    on: bool = False
    gone: bool = False  # the shift is over
    part: int = 0  # the stretch of a split shift being worked (or to come): 0 or 1
    offer: int | None = None  # run id
    offer_at: datetime | None = None
    choice: str = ""  # accept, decline, lapse
    queue: list[int] = field(default_factory=list)  # accepted run ids, ridden in order
    leg: tuple[int, datetime] | None = None  # (stop id, when the stop is done)
    break_until: datetime | None = None
    break_taken: bool = False
    offers: int = 0
    legs: int = 0
    started: datetime | None = None
    busy_since: datetime | None = None


class Riders:
    """The couriers' side of the simulation (mixed into
    :class:`courier.bench.day_sim.Simulation`, whose day, settings, record, clock and
    ``_do`` they use)."""

    def _due(self, g: Agent) -> tuple[datetime, Agent] | None:
        sh = g.shift
        if g.gone:
            return None
        start, end = self._stretch(g)
        if not g.on:
            return self.day.at(start + (sh.late_s if g.part == 0 else 0)), g
        times = [t for t in (g.offer_at, g.leg[1] if g.leg else None, g.break_until) if t]
        if not times and not g.queue:
            times.append(self.day.at(end))
            if self._break_owed(g):
                times.append(self._break_by(g) - timedelta(seconds=BREAK_FREE_S))
        return (min(times), g) if times else None

    @staticmethod
    def _stretch(g: Agent) -> tuple[int, int]:
        """The stretch of the shift being worked, or the next one (seconds into the day)."""
        return g.shift.stretches[g.part]

    def _break_owed(self, g: Agent) -> bool:
        """The rules' break is still to take this stretch: it falls due before its
        planned end."""
        return (self.break_after is not None and not g.break_taken and g.break_until is None
                and self._break_by(g) < self.day.at(self._stretch(g)[1]))

    def _break_by(self, g: Agent) -> datetime:
        return g.started + timedelta(seconds=self.break_after)

    def _act(self, g: Agent, now: datetime) -> None:
        user = db.session.get(User, g.user_id)
        if not g.on:
            if self._do(lambda: operations.set_shift(user, True, g.pos.lat, g.pos.lon, now)):
                g.on, g.started, g.break_taken = True, now, False
            else:  # the rules refused: try again in a quarter of an hour
                g.shift = Shift(**{**g.shift.__dict__, "late_s": g.shift.late_s + 900})
            return
        if g.offer_at and g.offer_at <= now:
            self._answer(g, user, now)
        if g.leg and g.leg[1] <= now:
            self._mark(g, user, now)
        if g.break_until and g.break_until <= now:
            self._do(lambda: tracking.end_break(user, now))
            g.break_until = None
        if g.leg or g.break_until:
            return
        if g.queue:  # between two stops: the break first when it falls due on the next leg
            stop = self._next_stop(g, now)
            if stop is None:
                return
            if not self._break_owed(g) or now + timedelta(
                    seconds=self._leg(g, stop)[0]) <= self._break_by(g):
                self._ride(g, stop, now)
            elif not g.offer:  # an offer in hand is answered first
                self._take_break(g, user, now)
            return
        if g.offer:
            return
        if now >= self.day.at(self._stretch(g)[1]):  # nothing held: going off is not refused
            operations.set_shift(user, False, now=now)
            db.session.commit()
            g.on = False
            self.rec.shift_s += (now - g.started).total_seconds()
            if g.part + 1 < len(g.shift.stretches):  # back for the evening
                g.part += 1
            else:
                g.gone = True
        elif self._break_owed(g) and now >= self._break_by(g) - timedelta(seconds=BREAK_FREE_S):
            self._take_break(g, user, now)

    def _take_break(self, g: Agent, user: User, now: datetime) -> None:
        g.break_taken = True
        if self._do(lambda: tracking.start_break(user, now)):
            g.break_until = now + timedelta(seconds=self.break_s)
            if g.busy_since is not None:  # a break is no riding time
                self.rec.busy_s += (now - g.busy_since).total_seconds()
                g.busy_since = g.break_until

    def _offered(self, g: Agent, run: Run, now: datetime) -> None:
        r = draw(self.s.seed, "offer", g.shift.index, g.offers)
        g.offers += 1
        think, turned_down, lapses = 10 + 50 * r.random(), r.random(), r.random()
        if now >= self.day.at(self._stretch(g)[1]):
            g.choice = "decline"  # going home
        elif turned_down < self.s.decline_rate:
            g.choice = "lapse" if lapses < LAPSE_SHARE else "decline"
        else:
            g.choice = "accept"
        self.rec.offers[g.choice] += 1
        g.offer = run.id
        g.offer_at = (run.expires_at + timedelta(seconds=1) if g.choice == "lapse"
                      else now + timedelta(seconds=think))

    def _answer(self, g: Agent, user: User, now: datetime) -> None:
        run = db.session.get(Run, g.offer)
        choice, g.offer, g.offer_at = g.choice, None, None
        if choice == "lapse" or run.status != RunStatus.OFFERED:
            return  # the next cycle expires it
        if choice == "decline":
            self._do(lambda: runs.decline_run(user, run, "not this one"))
            return
        if self._do(lambda: runs.accept_run(user, run, now=now)):
            g.queue.append(run.id)  # ridden from the next free moment (see _act)
            if g.busy_since is None and g.break_until is None:
                g.busy_since = now
            return
        self.rec.refused += 1  # the rules said no at the last moment: hand it back
        run = db.session.get(Run, run.id)
        if run.status == RunStatus.OFFERED:
            self._do(lambda: runs.decline_run(user, run, "refused by the rules"))

    def _next_stop(self, g: Agent, now: datetime) -> RunStop | None:
        """The next stop of the runs ``g`` accepted, the runs done dropped; None when
        there is none left (``g`` is free from ``now``)."""
        while g.queue:
            run = db.session.get(Run, g.queue[0])
            if run.status == RunStatus.ACCEPTED:
                stop = next((s for s in sorted(run.stops, key=lambda s: s.seq)
                             if timing.to_do(s)), None)  # a failed parcel's return too
                if stop is not None:
                    return stop
            g.queue.pop(0)
        if g.busy_since is not None:
            self.rec.busy_s += (now - g.busy_since).total_seconds()
            g.busy_since = None
        return None

    def _leg(self, g: Agent, stop: RunStop) -> tuple[float, float, float]:
        """Riding to ``stop`` from where ``g`` is, by the matrix: (seconds there and its
        service, seconds there, metres)."""
        m = travel_matrix([g.pos, LatLon(stop.lat, stop.lon)])
        cfg = current_app.config
        factor = cfg["CARGO_SPEED_FACTOR"] if g.shift.vehicle == "cargo_bike" else 1.0
        ride = float(m.durations[0][1]) * factor
        service = cfg["PICKUP_SERVICE_S"] if stop.kind == StopKind.PICKUP \
            else cfg["DROPOFF_SERVICE_S"]
        return ride + service, ride, float(m.distances[0][1])

    def _ride(self, g: Agent, stop: RunStop, now: datetime) -> None:
        _, ride, metres = self._leg(g, stop)
        noise = math.exp(draw(self.s.seed, "leg", g.shift.index, g.legs).gauss(0, 1)
                         * self.s.speed_noise)
        g.legs += 1
        arrive = now + timedelta(seconds=ride * noise)
        self.rec.metres += metres
        cfg = current_app.config
        if stop.kind == StopKind.PICKUP:
            start = max(arrive, stop.job.ready_at)
            self.rec.waiting_s += (start - arrive).total_seconds()
            done = start + timedelta(seconds=cfg["PICKUP_SERVICE_S"])
        else:
            if stop.kind == StopKind.DROPOFF:
                self.rec.door[stop.job_id] = arrive
            done = arrive + timedelta(seconds=cfg["DROPOFF_SERVICE_S"])
        g.leg, g.pos = (stop.id, done), LatLon(stop.lat, stop.lon)

    def _mark(self, g: Agent, user: User, now: datetime) -> None:
        stop = db.session.get(RunStop, g.leg[0])
        job = stop.job
        if stop.kind == StopKind.PICKUP:
            self._do(lambda: runs.mark_picked_up(user, job))
        elif stop.kind == StopKind.RETURN:
            self._do(lambda: runs.mark_returned(user, job))
        elif draw(self.s.seed, "fail", self.rec.index.get(job.id)).random() < self.s.fail_rate:
            self._do(lambda: runs.mark_failed(user, job, "recipient absent"))
        else:
            self._do(lambda: runs.mark_delivered(user, job))
        self._do(lambda: operations.update_position(user, g.pos.lat, g.pos.lon))
        g.leg = None  # the next leg, or the break, is chosen by _act
