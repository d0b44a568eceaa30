"""The demo coop's past, worked out day by day: who was on shift when (with breaks),
which jobs the shops sent, how dispatch offered them (a few offers declined or left
to lapse), and how each run was ridden. Pure: no database; :mod:`courier.demo.history`
writes the result.

The couriers keep weekly habits (lunch, day or evening shifts; two days off a week
at least, never six days in a row), shops send work in proportion to the couriers
on shift (about 1.5 jobs per courier-hour), each job goes to the nearest free courier
who can carry it, with other waiting jobs of the same shop, and runs are ridden at
the speed dispatch plans with, a little slower or faster.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from courier.demo.pastdata import Past, PastJob, PastRun, PastStop, Setup, Shift

MIN = timedelta(minutes=1)
# weekday (0 = Monday) -> local (start, end) hours, per courier of lyon.json
HABITS = {
    "ana@demo.coop": {0: [(11, 15)], 2: [(11, 15)], 4: [(17, 21.5)], 5: [(10, 16.5)]},
    "bruno@demo.coop": {d: [(9, 17)] for d in (0, 1, 3, 4)},
    "chloe@demo.coop": {d: [(10, 18)] for d in (1, 2, 3, 4, 5)},
    "dylan@demo.coop": {d: [(17, 22.5)] for d in (2, 3, 4, 5, 6)},
    "emma@demo.coop": {0: [(11, 14.5), (18, 21)], 1: [(11, 14.5), (18, 21)],
                       3: [(11, 14.5)], 5: [(11, 17)], 6: [(11, 17)]},
}
WEIGHTS = [0.5, 1, 1, 2, 2, 3, 5, 8, 12, 25]  # kg; 25 kg for cargo bikes only
RECIPIENTS = ["Léa", "Hugo", "Inès", "Nathan", "Zoé", "Jules", "Manon", "Karim"]
__all__ = ["Past", "PastJob", "PastRun", "PastStop", "Setup", "Shift", "generate", "metres"]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line metres (flat earth: plenty at a city's scale)."""
    dy = (b[0] - a[0]) * 111_320
    dx = (b[1] - a[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def _local(day: date, hour: float, tz: ZoneInfo) -> datetime:
    base = datetime.combine(day, time(0), tz)
    return (base + timedelta(hours=hour)).astimezone(ZoneInfo("UTC"))


def plan_shifts(setup: Setup, days: list[date], rng: random.Random,
                last_off: set[str]) -> list[Shift]:
    """Each courier's shifts by their habits, some skipped, times a little varied;
    ``last_off``: couriers who do not work the last day (rested for today)."""
    out = []
    for day in days:
        for c in setup.couriers:
            if day == days[-1] and c["email"] in last_off:
                continue
            for start_h, end_h in HABITS.get(c["email"], {}).get(day.weekday(), []):
                if rng.random() < 0.1:
                    continue  # a day off, sick, or a swap not worth showing
                start = _local(day, start_h + rng.uniform(-0.25, 0.25), setup.tz)
                end = _local(day, end_h + rng.uniform(-0.3, 0.3), setup.tz)
                out.append(Shift(c["email"], start, end))
    return sorted(out, key=lambda s: (s.start, s.courier))


class _Day:
    """One day's dispatch: free couriers take the waiting jobs, run after run."""

    def __init__(self, setup: Setup, rng: random.Random, past: Past):
        self.s, self.rng, self.past = setup, rng, past
        self.couriers = {c["email"]: c for c in setup.couriers}

    def demand(self, shifts: list[Shift], day_rate: float) -> list[PastJob]:
        """Jobs of the day, in proportion to the couriers on shift each ten minutes."""
        jobs = []
        if not shifts:
            return jobs
        t, end = min(s.start for s in shifts), max(s.end for s in shifts) - 45 * MIN
        while t < end:
            on = [s for s in shifts if s.start <= t < s.end - 30 * MIN]
            cargo = any(self.couriers[s.courier]["vehicle"] == "cargo_bike" for s in on)
            for _ in range(_poisson(self.rng, len(on) * day_rate / 6)):
                jobs.append(self._job(t + timedelta(seconds=self.rng.uniform(0, 600)), cargo))
            t += 10 * MIN
        return sorted(jobs, key=lambda j: j.created)

    def _job(self, at: datetime, cargo: bool) -> PastJob:
        r = self.rng
        shop = r.choices(self.s.shops, weights=[3] + [1] * (len(self.s.shops) - 1))[0]
        place = r.choice(self.s.places)
        spot = (place["lat"] + r.uniform(-0.004, 0.004), place["lon"] + r.uniform(-0.005, 0.005))
        weight = r.choice(WEIGHTS if cargo and r.random() < 0.3 else WEIGHTS[:-1])
        at = at.replace(microsecond=0)
        return PastJob(0, shop, at, at + r.choice([60, 90, 90, 120]) * MIN,
                       (*spot, f"{place['name']}, Lyon"), weight, round(r.uniform(2, 40), 1),
                       r.choice(RECIPIENTS))

    def ride(self, shifts: list[Shift], jobs: list[PastJob]) -> None:
        """Dispatch the day minute by minute: each waiting job, oldest first, goes to the
        nearest free courier able to carry it, with other waiting jobs of its shop.
        Every job ends delivered, failed or cancelled by its shop."""
        if not shifts:
            return
        self.where = {s.courier: (self.couriers[s.courier]["lat"],
                                  self.couriers[s.courier]["lon"]) for s in shifts}
        self.free = {id(s): s.start for s in shifts}  # when each shift's courier is next free
        self.resumed = {id(s): s.start for s in shifts}  # when work last began without a break
        self.refused: dict[tuple[int, str], datetime] = {}  # (job, courier or "") -> until
        self.pending: list[PastJob] = []
        todo = list(jobs)
        t, close = min(s.start for s in shifts), max(s.end for s in shifts) + timedelta(hours=3)
        while (todo or self.pending) and t < close:
            while todo and todo[0].created <= t:
                self.pending.append(todo.pop(0))
            for j in [j for j in self.pending if t > j.deliver_by + 30 * MIN]:
                j.status, j.at["cancelled"] = "cancelled", t  # nobody came: the shop gave up
                self.pending.remove(j)
            idle = [s for s in shifts if s.start <= t < s.end - 20 * MIN and self.free[id(s)] <= t]
            self._assign(self._rest(idle, t), t)
            t += MIN
        for j in self.pending + todo:
            j.status, j.at["cancelled"] = "cancelled", t
        for s in shifts:  # a run under way is finished before going home
            s.end = max(s.end, self.free[id(s)])

    def _rest(self, idle: list[Shift], t: datetime) -> list[Shift]:
        """Couriers waiting for work go back near the shops; one long shift's break is
        taken between runs. Returns those still free for work."""
        out = []
        for s in idle:
            if t - self.free[id(s)] >= 10 * MIN:
                self.where[s.courier] = min((_shop_of(x) for x in self.s.shops),
                                            key=lambda p: metres(self.where[s.courier], p))
            if (t - self.resumed[id(s)] >= timedelta(hours=self.rng.uniform(3.5, 5))
                    and s.end - t > timedelta(hours=1.5) and not s.breaks):
                s.breaks.append((t, t + 30 * MIN))
                self.free[id(s)] = self.resumed[id(s)] = t + 30 * MIN
            else:
                out.append(s)
        return out

    def _assign(self, idle: list[Shift], t: datetime) -> None:
        for j in list(self.pending):
            cap = self.couriers
            able = [s for s in idle if self.refused.get((j.n, s.courier), t) <= t
                    and self.refused.get((j.n, ""), t) <= t
                    and j.weight_kg <= cap[s.courier]["capacity_kg"]]
            if j not in self.pending or not able:
                continue
            s = min(able, key=lambda s: metres(self.where[s.courier], _shop(j)))
            idle.remove(s)
            more = [o for o in self.pending if o is not j and o.shop is j.shop
                    and o.weight_kg <= cap[s.courier]["capacity_kg"]]
            batch = [j] + more[:self.rng.choice([0, 1, 1, 2, 3])]
            run = self._offer(s.courier, batch, t, self.where[s.courier])
            self.free[id(s)] = run.ended
            if run.status != "done":
                for o in batch:  # back to be planned when the offer ends, not for them
                    self.refused[(o.n, "")] = run.ended
                    self.refused[(o.n, s.courier)] = run.ended + timedelta(
                        seconds=self.s.cooldown_s)
                continue
            for o in batch:
                self.pending.remove(o)
            self.where[s.courier] = (run.stops[-1].lat, run.stops[-1].lon)

    def _offer(self, courier: str, batch: list[PastJob], t: datetime,
               here: tuple[float, float]) -> PastRun:
        r, s = self.rng, self.s
        run = PastRun(len(self.past.runs), courier, [j.n for j in batch], t, "done", t)
        self.past.runs.append(run)
        draw = r.random()
        if draw < 0.04:
            run.status, run.ended = "declined", t + timedelta(seconds=r.uniform(15, 70))
        elif draw < 0.06:
            run.status, run.ended = "expired", t + timedelta(seconds=s.offer_ttl)
        cargo = self.couriers[courier]["vehicle"] == "cargo_bike"
        mps = s.speed_mps / (s.cargo_factor if cargo else 1.0)
        pace = r.uniform(0.9, 1.2)  # the ride against the plan: traffic, lights, stairs
        planned = actual = t + timedelta(seconds=r.uniform(10, 50))
        if run.status == "done":
            run.accepted = planned
        stops = [("pickup", j, _shop(j)) for j in batch]
        rest = list(batch)
        spot = _shop(batch[0])
        while rest:  # drop-offs nearest first
            j = min(rest, key=lambda j: metres(spot, j.dropoff[:2]))
            rest.remove(j)
            spot = j.dropoff[:2]
            stops.append(("dropoff", j, spot))
        prev = here
        for kind, j, spot in stops:
            leg = metres(prev, spot) * s.detour
            if kind == "pickup" and prev == here:
                run.away_m = int(leg / s.detour)  # as the crow flies, as offers say
            run.metres += int(leg)
            service = s.pickup_s if kind == "pickup" else s.dropoff_s
            planned += timedelta(seconds=leg / mps)
            actual += timedelta(seconds=leg / mps * pace)
            done = None
            if run.status == "done" and kind == "pickup":
                done = j.at["picked_up"] = actual + timedelta(seconds=service)
            elif run.status == "done" and r.random() < 0.03:
                j.status, j.at["failed"] = "failed", actual + MIN
            elif run.status == "done":
                j.status, done = "delivered", actual + timedelta(seconds=service)
                j.at["delivered"] = done
            run.stops.append(PastStop(j.n, kind, spot[0], spot[1], planned, done))
            planned += timedelta(seconds=service)
            actual += timedelta(seconds=service)
            prev = spot
        if run.status == "done":
            run.ended = max(x for x in (j.at.get("delivered") or j.at.get("failed")
                                        for j in batch) if x)
            for j in batch:
                j.run = run.n
        return run


def _shop_of(shop: dict) -> tuple[float, float]:
    return (shop["lat"], shop["lon"])


def _shop(j: PastJob) -> tuple[float, float]:
    return _shop_of(j.shop)


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def generate(setup: Setup, days: list[date], seed: int = 25,
             last_off=("ana@demo.coop",)) -> Past:
    """The past over ``days`` (local dates, oldest first), the same for the same seed."""
    rng = random.Random(seed)
    past = Past(shifts=plan_shifts(setup, days, rng, set(last_off)))
    for day in days:
        shifts = [s for s in past.shifts if s.start.astimezone(setup.tz).date() == day]
        d = _Day(setup, rng, past)
        jobs = d.demand(shifts, day_rate=rng.uniform(1.4, 1.9))
        for j in jobs:
            j.n = len(past.jobs)
            past.jobs.append(j)
        d.ride(shifts, jobs)
    return past
