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

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from courier import clock
from courier.accounts import create_user
from courier.bench.day_plan import Day
from courier.bench.day_riders import Agent, Riders
from courier.dispatch import eta, operations, runs, shifts, wake
from courier.dispatch.cycle import run_cycle
from courier.errors import DomainError, InvalidInput
from courier.extensions import db
from courier.fairwork import versions
from courier.models import Job, JobStatus, Run, RunStatus, User
from courier.routing import solve
from courier.shops import submit

GRACE_S = 2 * 3600  # after the day's end, jobs still pending this long are never served
GIVE_UP = timedelta(minutes=30)  # a shop cancels a job nobody took this long past its deadline
SAMPLE_S = 300  # the day's course (jobs waiting, couriers riding) is sampled this often


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
    skipped: int = 0  # cycles due with jobs waiting but nothing to decide (dispatch.wake)
    offers: dict[str, int] = field(default_factory=lambda: {"accept": 0, "decline": 0,
                                                            "lapse": 0})
    refused: int = 0  # accepts the rules refused at the last moment
    not_sent: int = 0  # jobs the app refused at submission (too heavy for every vehicle)
    end: datetime | None = None
    # every SAMPLE_S of the day: (seconds into the day, jobs waiting for a courier
    # (pending or offered), couriers riding, couriers on shift)
    series: list[tuple[float, int, int, int]] = field(default_factory=list)


class Simulation(Riders):
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
        self.mark: wake.Mark | None = None  # what the last dispatch cycle left
        self.break_after: int | None = None  # the rules' break: due after this much work...
        self.break_s = 0  # ...and this long

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
        if self.s.fairness != "off":
            council = create_user("council", "Bench Council", "council@day.bench")
            versions.publish(council, {"fairness": {"balance": self.s.fairness,
                                                    "strength": self.s.fairness_strength}},
                             "the day's fairness setting (--fairness)")
        brk = versions.in_force(self.day.at(0)).rules["working_time"]["break"]
        if brk["enforce"] != "off":
            self.break_after, self.break_s = brk["after_s"], brk["duration_s"] + 1
        db.session.commit()

    def _plan_shifts(self) -> None:
        """The coop plans the day ahead: a slot per vehicle kind and stretch of the day
        between two shift changes, with as many riders as couriers mean to work it; each
        courier signs up for the slots of their shift (consecutive, so dispatch knows
        when each stretch of it ends)."""
        planner = create_user("dispatcher", "Bench Dispatch", "dispatch@day.bench")
        sh = [a.shift for a in self.agents]
        bounds = sorted({t for s in sh for stretch in s.stretches for t in stretch})
        for vehicle in sorted({s.vehicle for s in sh}):
            for a, b in zip(bounds, bounds[1:], strict=False):
                riders = [g for g in self.agents if g.shift.vehicle == vehicle and any(
                    start <= a and end >= b for start, end in g.shift.stretches)]
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
        """What the app's dispatch loop does at a cycle's time (courier.dispatch.scheduler):
        lapsed offers expired, late offers withdrawn, then a cycle while jobs wait and
        something changed since the last one."""
        self._give_up(now)
        if runs.expire_offers(now):
            db.session.commit()
        open_jobs = db.session.scalar(select(func.count(Job.id)).where(
            Job.status == JobStatus.PENDING))
        offered = db.session.scalar(select(func.count(Run.id)).where(
            Run.status == RunStatus.OFFERED))
        if offered and not open_jobs:
            eta.sweep(now, offers_only=True)
            db.session.commit()
        self._sample(now, open_jobs, db.session.scalar(select(func.count(Job.id)).where(
            Job.status == JobStatus.OFFERED)) if offered else 0)
        if not open_jobs:
            return
        if not wake.due(self.mark, now):
            self.rec.skipped += 1
            return
        started = time.perf_counter()
        result = run_cycle(None, now, planner=self.planner)
        self.mark = wake.after(now, result.due)
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
        try:
            job, _ = submit.submit_job(shop, data, now=now)
        except InvalidInput:  # no vehicle of the coop carries it (a fleet without cargo bikes)
            db.session.rollback()
            self.rec.not_sent += 1
            return
        db.session.commit()
        self.rec.index[job.id] = a.index
