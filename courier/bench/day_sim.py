"""A day lived through the real app: shops send their jobs, dispatch cycles run, and
simulated couriers go on shift, answer offers, ride and mark each stop, all through
the operations the shop's software and the courier's phone use, on a
:class:`~courier.clock.SimulatedClock` moved from one event to the next.

Events happen at their exact time (a stop is marked when the courier is done there,
not at the next tick), so the figures hold to the second. A leg takes the travel
matrix's time (the one dispatch plans with; a cargo bike's factor applied) times
``exp(N(0, speed_noise))``, drawn per courier and leg; a pickup cannot start before
the job is ready. Positions are sent when a courier reaches a stop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from courier import clock
from courier.accounts import create_user
from courier.bench.day_plan import Day, Shift, draw
from courier.dispatch import operations, runs, shifts, timing
from courier.dispatch.cycle import run_cycle
from courier.dispatch.planning import travel_matrix
from courier.errors import DomainError
from courier.extensions import db
from courier.fairwork import tracking
from courier.models import Job, JobStatus, Run, RunStatus, RunStop, StopKind, User
from courier.routing import solve
from courier.routing.geo import LatLon
from courier.shops import submit

GRACE_S = 2 * 3600  # after the day's end, jobs still pending this long are never served
GIVE_UP = timedelta(minutes=30)  # a shop cancels a job nobody took this long past its deadline
BREAK_AFTER_S = 5 * 3600  # the rules' break (due at 6 h) is taken after this much of a shift:
# new offers are declined from then on and the break starts once the work in hand is done
BREAK_S = 30 * 60 + 1
LAPSE_SHARE = 1 / 3  # of the offers turned down, those left to expire rather than declined
SAMPLE_S = 300  # the day's course (jobs waiting, couriers riding) is sampled this often


@dataclass
class Agent:
    """One simulated courier and what they are doing (ids only: objects are looked up
    in the session of the moment)."""

    shift: Shift
    user_id: int
    pos: LatLon
    on: bool = False
    gone: bool = False  # the shift is over
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


@dataclass
class Record:
    """What the simulation saw that the database does not keep."""

    door: dict[int, datetime] = field(default_factory=dict)  # job id -> at the drop-off
    index: dict[int, int] = field(default_factory=dict)  # job id -> arrival index
    metres: float = 0.0
    busy_s: float = 0.0  # from starting to ride a run to finishing it (queues included)
    waiting_s: float = 0.0  # at pickups, before the job was ready
    shift_s: float = 0.0
    cycles: list[tuple[float, int]] = field(default_factory=list)  # (wall s, open jobs)
    offers: dict[str, int] = field(default_factory=lambda: {"accept": 0, "decline": 0,
                                                            "lapse": 0})
    refused: int = 0  # accepts the rules refused at the last moment
    end: datetime | None = None
    # every SAMPLE_S of the day: (seconds into the day, jobs waiting for a courier
    # (pending or offered), couriers riding, couriers on shift)
    series: list[tuple[float, int, int, int]] = field(default_factory=list)


class Simulation:
    """Run :attr:`day` in the current app context on a fresh database."""

    def __init__(self, day: Day, progress: Callable[[float, int], None] | None = None,
                 planner=solve):
        self.planner = planner
        self.day, self.s = day, day.settings
        self.progress = progress
        self.clock = clock.SimulatedClock(day.at(-60), speed=0)
        self.rec = Record()
        self.agents: list[Agent] = []
        self.by_courier: dict[int, Agent] = {}
        self.shops: list[int] = []

    # -- the world --------------------------------------------------------------
    def _populate(self) -> None:
        for k, (name, at) in enumerate(self.day.shops):
            u = create_user("merchant", name, f"shop{k}@day.bench", lat=at.lat, lon=at.lon,
                            address=f"{name}, Lyon")
            self.shops.append(u)
        for sh in self.day.shifts:
            u = create_user("courier", f"C{sh.index:03d} Bench", f"courier{sh.index}@day.bench",
                            lat=sh.home.lat, lon=sh.home.lon, vehicle=sh.vehicle)
            self.agents.append(Agent(sh, u.id, sh.home))
        db.session.flush()
        self.shops = [u.id for u in self.shops]
        for a in self.agents:
            self.by_courier[db.session.get(User, a.user_id).courier.id] = a
        if self.s.planned:
            self._plan_shifts()
        db.session.commit()

    def _plan_shifts(self) -> None:
        """The coop plans the day ahead: a slot per vehicle kind and stretch of the day
        between two shift changes, with as many riders as couriers mean to work it; each
        courier signs up for the slots of their shift (consecutive, so dispatch knows
        when each shift ends)."""
        planner = create_user("dispatcher", "Bench Dispatch", "dispatch@day.bench")
        sh = [a.shift for a in self.agents]
        bounds = sorted({s.start for s in sh} | {s.end for s in sh})
        for vehicle in sorted({s.vehicle for s in sh}):
            for a, b in zip(bounds, bounds[1:], strict=False):
                riders = [g for g in self.agents if g.shift.vehicle == vehicle
                          and g.shift.start <= a and g.shift.end >= b]
                if not riders:
                    continue
                slot = shifts.publish_slot(planner, self.day.at(a), self.day.at(b), vehicle,
                                           len(riders))
                for g in riders:
                    shifts.sign_up(db.session.get(User, g.user_id), slot)

    def now(self) -> datetime:
        return self.clock.now()

    def _go(self, when: datetime) -> None:
        if when > self.now():
            self.clock.advance((when - self.now()).total_seconds())

    def _do(self, action: Callable[[], object]) -> bool:
        """One action, committed; a refusal is rolled back and reported as False."""
        try:
            action()
            db.session.commit()
            return True
        except DomainError:
            db.session.rollback()
            return False

    # -- the loop ---------------------------------------------------------------
    def run(self) -> Record:
        with clock.using(self.clock):
            self._populate()
            arrivals = list(self.day.arrivals)
            next_cycle, length = 0, self.day.length_s
            next_progress = 0
            while True:
                due = [a for a in (self._due(g) for g in self.agents) if a is not None]
                times = [self.day.at(next_cycle)] + [d for d, _ in due]
                if arrivals:
                    times.append(self.day.at(arrivals[0].at))
                when = max(min(times), self.now())
                self._go(when)
                t = (when - self.day.at(0)).total_seconds()
                if self.progress and t >= next_progress:
                    self.progress(t, len(self.rec.index))
                    next_progress = t + 900
                while arrivals and self.day.at(arrivals[0].at) <= when:
                    self._submit(arrivals.pop(0))
                for d, agent in sorted(due, key=lambda x: (x[0], x[1].shift.index)):
                    if d <= when:
                        self._act(agent, when)
                if self.day.at(next_cycle) <= when:
                    next_cycle += self.s.cycle_every
                    if self._over(t, length, arrivals):
                        break
                    self._cycle(when)
            self.rec.end = self.now()
            for a in self.agents:  # still on shift at the end (pending work kept them)
                if a.on:
                    self.rec.shift_s += (self.now() - a.started).total_seconds()
        return self.rec

    def _over(self, t: float, length: int, arrivals) -> bool:
        if t < length or arrivals:
            return False
        if any(a.queue or a.offer for a in self.agents):
            return False
        pending = db.session.scalar(select(func.count(Job.id)).where(
            Job.status.in_([JobStatus.PENDING, JobStatus.OFFERED])))
        return not pending or t >= length + GRACE_S or not any(a.on for a in self.agents)

    def _give_up(self, now: datetime) -> None:
        """Shops cancel the jobs nobody took, half an hour past their deadline (the job
        keeps the reason it waited with)."""
        stale = db.session.scalars(select(Job).where(
            Job.status == JobStatus.PENDING, Job.deliver_by < now - GIVE_UP)).all()
        for job in stale:
            self._do(lambda job=job: operations.cancel_job(job.merchant.user, job,
                                                           "no courier came in time"))

    def _sample(self, now: datetime, open_jobs: int, offered_jobs: int) -> None:
        t = (now - self.day.at(0)).total_seconds()
        if self.rec.series and t < self.rec.series[-1][0] + SAMPLE_S:
            return
        riding = sum(1 for a in self.agents if a.leg is not None)
        self.rec.series.append((t, open_jobs + offered_jobs, riding,
                                sum(1 for a in self.agents if a.on)))

    def _cycle(self, now: datetime) -> None:
        self._give_up(now)
        open_jobs = db.session.scalar(select(func.count(Job.id)).where(
            Job.status == JobStatus.PENDING))
        offered = db.session.scalar(select(func.count(Run.id)).where(
            Run.status == RunStatus.OFFERED))
        self._sample(now, open_jobs, db.session.scalar(select(func.count(Job.id)).where(
            Job.status == JobStatus.OFFERED)) if offered else 0)
        if not open_jobs and not offered:
            return
        started = time.perf_counter()
        result = run_cycle(None, now, planner=self.planner)
        self.rec.cycles.append((time.perf_counter() - started, open_jobs))
        for run in result.runs:
            self._offered(self.by_courier[run.courier_id], run, now)
        db.session.remove()

    def _submit(self, a) -> None:
        shop = db.session.get(User, self.shops[a.shop])
        now = self.now()
        ready = now + timedelta(seconds=a.ready_s)
        data = {"dropoff": {"lat": a.dropoff.lat, "lon": a.dropoff.lon,
                            "address": f"drop-off {a.index}, Lyon"},
                "weight_kg": a.grams / 1000, "volume_l": a.millilitres / 1000,
                "ready_at": ready, "deliver_by": ready + timedelta(seconds=a.window_s),
                "recipient": {"name": f"Recipient {a.index}", "phone": "04 00 00 00 00"}}
        job, _ = submit.submit_job(shop, data, now=now)
        db.session.commit()
        self.rec.index[job.id] = a.index

    # -- a courier --------------------------------------------------------------
    def _due(self, g: Agent) -> tuple[datetime, Agent] | None:
        sh = g.shift
        if g.gone:
            return None
        if not g.on:
            return self.day.at(sh.start + sh.late_s), g
        times = [t for t in (g.offer_at, g.leg[1] if g.leg else None, g.break_until) if t]
        if not times and not g.queue:
            times.append(self.day.at(sh.end))
            if self._break_due(g):
                times.append(g.started + timedelta(seconds=BREAK_AFTER_S))
        return (min(times), g) if times else None

    def _break_due(self, g: Agent) -> bool:
        return (not g.break_taken and g.break_until is None
                and g.shift.end - g.shift.start - g.shift.late_s > BREAK_AFTER_S + 3600)

    def _break_now(self, g: Agent, now: datetime) -> bool:
        """The break is due: no new work is taken until it is over."""
        return self._break_due(g) and now >= g.started + timedelta(seconds=BREAK_AFTER_S)

    def _act(self, g: Agent, now: datetime) -> None:
        user = db.session.get(User, g.user_id)
        if not g.on:
            if self._do(lambda: operations.set_shift(user, True, g.pos.lat, g.pos.lon, now)):
                g.on, g.started = True, now
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
        if g.offer or g.queue or g.leg or g.break_until:
            return
        if now >= self.day.at(g.shift.end):  # nothing held: going off cannot be refused
            operations.set_shift(user, False, now=now)
            db.session.commit()
            g.on, g.gone = False, True
            self.rec.shift_s += (now - g.started).total_seconds()
        elif self._break_now(g, now):
            g.break_taken = True
            if self._do(lambda: tracking.start_break(user, now)):
                g.break_until = now + timedelta(seconds=BREAK_S)

    def _offered(self, g: Agent, run: Run, now: datetime) -> None:
        r = draw(self.s.seed, "offer", g.shift.index, g.offers)
        g.offers += 1
        think, turned_down, lapses = 10 + 50 * r.random(), r.random(), r.random()
        if now >= self.day.at(g.shift.end) or self._break_now(g, now):
            g.choice = "decline"  # going home, or the break first
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
            g.queue.append(run.id)
            if g.leg is None:
                g.busy_since = now
                self._next_leg(g, now)
            return
        self.rec.refused += 1  # the rules said no at the last moment: hand it back
        run = db.session.get(Run, run.id)
        if run.status == RunStatus.OFFERED:
            self._do(lambda: runs.decline_run(user, run, "refused by the rules"))

    def _next_leg(self, g: Agent, now: datetime) -> None:
        while g.queue:
            run = db.session.get(Run, g.queue[0])
            stop = None
            if run.status == RunStatus.ACCEPTED:
                stop = next((s for s in sorted(run.stops, key=lambda s: s.seq)
                             if timing.to_do(s)), None)  # a failed parcel's return too
            if stop is not None:
                self._ride(g, run, stop, now)
                return
            g.queue.pop(0)
        g.leg = None
        if g.busy_since is not None:
            self.rec.busy_s += (now - g.busy_since).total_seconds()
            g.busy_since = None

    def _ride(self, g: Agent, run: Run, stop: RunStop, now: datetime) -> None:
        to = LatLon(stop.lat, stop.lon)
        m = travel_matrix([g.pos, to])
        cfg = current_app.config
        factor = cfg["CARGO_SPEED_FACTOR"] if g.shift.vehicle == "cargo_bike" else 1.0
        noise = math.exp(draw(self.s.seed, "leg", g.shift.index, g.legs).gauss(0, 1)
                         * self.s.speed_noise)
        g.legs += 1
        arrive = now + timedelta(seconds=float(m.durations[0][1]) * factor * noise)
        self.rec.metres += float(m.distances[0][1])
        if stop.kind == StopKind.PICKUP:
            start = max(arrive, stop.job.ready_at)
            self.rec.waiting_s += (start - arrive).total_seconds()
            done = start + timedelta(seconds=cfg["PICKUP_SERVICE_S"])
        else:
            if stop.kind == StopKind.DROPOFF:
                self.rec.door[stop.job_id] = arrive
            done = arrive + timedelta(seconds=cfg["DROPOFF_SERVICE_S"])
        g.leg, g.pos = (stop.id, done), to

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
        self._next_leg(g, now)
