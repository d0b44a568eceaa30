"""Demand forecast: the jobs expected in each hour of the next two weeks, and the riders
they need, from the coop's own history of jobs.

The model is seasonal by weekday and hour with exponential weights: the jobs expected on
a Tuesday from 12:00 to 13:00 are the weighted mean of the jobs of the Tuesdays 12:00 of
the last :data:`WEEKS` weeks observed, the latest week weighing 1, the one before
:data:`ALPHA`, then ``ALPHA**2``... (weeks before the history began do not count). The
riders needed in an hour are the jobs expected over the jobs the coop's couriers did per
hour on shift in the same weeks, rounded up. ``courier bench forecast`` back-tests the
model against a naive forecast (the same hour last week) on the demo's simulated past.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from courier.errors import Conflict
from courier.extensions import db
from courier.fairwork.earned import collect
from courier.fairwork.intervals import seconds
from courier.models import Job

WEEKS = 8
ALPHA = 0.7
HORIZON_DAYS = 14
NO_HISTORY = ("no history of jobs yet: the forecast needs at least one past week of jobs; "
              "the calendar works without it")

Counts = Counter  # (local date, hour) -> jobs


def hourly(times: Iterable[datetime], tz: ZoneInfo) -> Counts:
    """Jobs per local date and hour."""
    out: Counts = Counter()
    for t in times:
        local = t.astimezone(tz)
        out[(local.date(), local.hour)] += 1
    return out


def seasonal(counts: Counts, observed: tuple[date, date], day: date, hour: int,
             weeks: int = WEEKS, alpha: float = ALPHA) -> float | None:
    """Jobs expected on ``day`` at ``hour``: the exponentially weighted mean of the same
    weekday and hour in the weeks ``observed`` (first day, day after the last); None
    when none of them was observed."""
    total = weight = 0.0
    w = 1.0
    for k in range(1, weeks + 1):
        past = day - timedelta(days=7 * k)
        if past >= observed[1]:
            continue  # not observed yet: the week after next is forecast from last week's
        if past < observed[0]:
            break
        total, weight, w = total + w * counts[(past, hour)], weight + w, w * alpha
    return total / weight if weight else None


def naive(counts: Counts, observed: tuple[date, date], day: date, hour: int) -> float | None:
    """The same hour of the same weekday, a week earlier (None when not observed)."""
    past = day - timedelta(days=7)
    return float(counts[(past, hour)]) if observed[0] <= past < observed[1] else None


def riders_for(jobs: float, rate: float | None) -> int | None:
    """Riders needed for ``jobs`` in an hour at ``rate`` jobs per courier-hour."""
    if rate is None or rate <= 0:
        return None
    return math.ceil(round(jobs / rate, 2)) if jobs >= 0.05 else 0


@dataclass
class Forecast:
    start: datetime  # the first hour forecast (local midnight of today)
    jobs: list[float] = field(default_factory=list)  # expected, hour by hour
    riders: list[int | None] = field(default_factory=list)
    rate: float | None = None  # jobs per courier-hour on shift, measured
    weeks: int = 0  # weeks of history used

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "jobs": [round(j, 2) for j in self.jobs],
                "riders": self.riders, "jobs_per_courier_hour":
                    round(self.rate, 2) if self.rate is not None else None,
                "weeks": self.weeks, "alpha": ALPHA}


def forecast(now: datetime, tz: ZoneInfo, days: int = HORIZON_DAYS) -> Forecast:
    """The next ``days`` (from today's local midnight) hour by hour, from the jobs of the
    last :data:`WEEKS` weeks before today. Conflict when there is no such job."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tz)
    since = start - timedelta(weeks=WEEKS)
    times = db.session.scalars(select(Job.created_at).where(
        Job.created_at >= since, Job.created_at < start)).all()
    if not times:
        raise Conflict(NO_HISTORY, {"history": "no jobs in the last weeks"})
    counts = hourly(times, tz)
    first = min(d for d, _ in counts)
    worked = sum(seconds(e["work"].shifts) for e in collect(since, start, now).values())
    rate = len(times) / (worked / 3600) if worked > 0 else None
    out = Forecast(datetime.combine(today, time(0), tz), rate=rate,
                   weeks=math.ceil((today - first).days / 7))
    for d in range(days):
        day = today + timedelta(days=d)
        for h in range(24):
            jobs = seasonal(counts, (first, today), day, h) or 0.0
            out.jobs.append(jobs)
            out.riders.append(riders_for(jobs, rate))
    return out


def backtest(counts: Counts, first: date, days: list[date], alpha: float = ALPHA,
             hours: Iterable[int] = range(24)) -> dict:
    """Mean absolute error per hour over ``days`` of the model and of the naive forecast,
    each day forecast from the days before it only (both on the same hours: those whose
    day has a week observed before it)."""
    model_err = naive_err = n = 0.0
    for day in days:
        for h in hours:
            m = seasonal(counts, (first, day), day, h, alpha=alpha)
            v = naive(counts, (first, day), day, h)
            if m is None or v is None:
                continue
            actual = counts[(day, h)]
            model_err += abs(m - actual)
            naive_err += abs(v - actual)
            n += 1
    return {"hours": int(n), "model_mae": model_err / n if n else None,
            "naive_mae": naive_err / n if n else None}
