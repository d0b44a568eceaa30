"""The coop's work in pictures: the figures behind the dashboards' charts, for the whole
coop or for one shop's jobs, over a period of whole local days.

Each chart is ``{"label", "labels", "series", "empty"}``: ``label`` names the x column
(``hour``, ``day``, ``member``, ``week``), ``labels`` holds one entry per point, and every
series of ``series`` has one value per label (None where a figure means nothing, such as
the on-time share of a day without deliveries); ``empty`` says there is nothing to draw.

- Deliveries are the jobs delivered in the period, counted by the local hour and day of
  delivery; one is on time when delivered by its ``deliver_by``.
- Km are the km ridden (:func:`courier.fairwork.earned.ridden_m`: a run's km in proportion
  to its stops done), on the day its run ended. A shop's jobs get the share of each run's
  km that their stops make of the run's stops done, as pay per run shares it.
- Courier-hours: on shift (breaks out) and active (from accepting a run to its last stop),
  split at local midnight; a shop's jobs get their stops' share of each run's active time.
- CO2 avoided: the km ridden times what a diesel van emits per km, the factor the open
  data counts with (:func:`courier.solidarity.opendata.van_kg_co2e_per_km`: 0.25023 kg
  CO2e per km unless the coop set another; its source in docs/dashboard.md).
- Per member (the coop only): hours on shift and effective hourly pay of the paid members
  who worked, from the earnings report (:mod:`courier.reports.earnings`), and the Gini of
  hours and of pay of each week of the period (a week cut at the period's ends).
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courier.extensions import db
from courier.fairwork import tracking
from courier.fairwork.earned import _active, collect, counted, ridden_m
from courier.fairwork.intervals import clip, merge
from courier.fairwork.pay import Work as PayWork
from courier.fairwork.pay import pays_failed_ride
from courier.fairwork.versions import Timeline
from courier.models import Job, JobStatus, Run, RunStatus, RunStop, utcnow
from courier.reports.earnings import bounds, earnings
from courier.reports.runs import _cell
from courier.solidarity.opendata import van_kg_co2e_per_km

WORK_CHARTS = ("deliveries_per_hour", "deliveries_per_day", "on_time", "per_delivery", "co2")
MEMBER_CHARTS = ("hours", "hourly", "gini_weeks")
COOP_CHARTS = WORK_CHARTS + MEMBER_CHARTS
SHOP_CHARTS = WORK_CHARTS


@dataclass
class Work:
    """A period's facts: each delivery ``(delivered_at, deliver_by)``, and per local day
    the km ridden and the seconds on shift (None for a shop's jobs) and active."""

    delivered: list[tuple[datetime, datetime]]
    km: Counter = field(default_factory=Counter)
    shift_s: Counter | None = field(default_factory=Counter)
    active_s: Counter = field(default_factory=Counter)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def weeks(first: date, last: date) -> list[tuple[date, date]]:
    """The weeks (Monday to Sunday) of the period, the first and last cut at its ends."""
    out, d = [], first
    while d <= last:
        end = min(last, d + timedelta(days=6 - d.weekday()))
        out.append((d, end))
        d = end + timedelta(days=1)
    return out


def per_day(intervals, tz) -> Counter:
    """Seconds of ``intervals`` in each local day (an interval is cut at midnight)."""
    out: Counter = Counter()
    for s, e in intervals:
        while s < e:
            local = s.astimezone(tz).date()
            cut = min(e, datetime.combine(local + timedelta(days=1), time(0), tz))
            out[local] += (cut - s).total_seconds()
            s = cut
    return out


def chart(label: str, labels: list, empty: bool | None = None, **series) -> dict:
    """A chart; ``empty`` by default when no series has a figure other than 0."""
    if empty is None:
        empty = not any(v for values in series.values() for v in values)
    return {"label": label, "labels": labels, "series": series, "empty": empty}


def delivered(start: datetime, end: datetime, merchant_id: int | None = None) -> list:
    q = select(Job.delivered_at, Job.deliver_by).where(
        Job.status == JobStatus.DELIVERED, Job.delivered_at >= start, Job.delivered_at < end)
    if merchant_id is not None:
        q = q.where(Job.merchant_id == merchant_id)
    return [tuple(row) for row in db.session.execute(q.order_by(Job.delivered_at))]


def coop_work(first: date, last: date, entries: dict) -> Work:
    """Every courier's work in the period (``entries``: its
    :func:`~courier.fairwork.earned.collect`), volunteers' included."""
    tz = tracking.timezone()
    work = Work(delivered(*bounds(first, last, tz)))
    for entry in entries.values():
        for _, at, metres in entry["work"].rides:
            work.km[at.astimezone(tz).date()] += metres / 1000
        work.shift_s.update(per_day(entry["work"].shifts, tz))
        work.active_s.update(per_day(merge(entry["active"]), tz))
    return work


def shop_work(first: date, last: date, merchant_id: int, now: datetime) -> Work:
    """A shop's jobs' share of the runs that carried them and ended in the period."""
    tz = tracking.timezone()
    start, end = bounds(first, last, tz)
    work = Work(delivered(start, end, merchant_id), shift_s=None)
    theirs = select(RunStop.run_id).join(Job, Job.id == RunStop.job_id).where(
        Job.merchant_id == merchant_id)
    runs = db.session.scalars(select(Run).options(
        selectinload(Run.stops).selectinload(RunStop.job)).where(
        Run.status == RunStatus.DONE, Run.ended_at >= start, Run.ended_at < end,
        Run.id.in_(theirs)))
    timeline = Timeline()
    for run in runs:
        ride = pays_failed_ride(timeline.at(run.ended_at))
        done = [s for s in run.stops if counted(s, ride)]
        if not done:
            continue
        share = sum(1 for s in done if s.job.merchant_id == merchant_id) / len(done)
        day = run.ended_at.astimezone(tz).date()
        work.km[day] += ridden_m(run, timeline) * share / 1000
        span = _active(run, now)
        if span:
            work.active_s[day] += (span[1] - span[0]).total_seconds() * share
    return work


def _ratio(x: float, n: int, digits: int = 2) -> float | None:
    return round(x / n, digits) if n else None


def work_charts(work: Work, first: date, last: date) -> tuple[dict, dict]:
    """The charts of deliveries, on-time share, km and hours per delivery and CO2 avoided,
    and the period's totals."""
    tz, van = tracking.timezone(), van_kg_co2e_per_km()
    ds = days(first, last)
    iso = [d.isoformat() for d in ds]
    local = [(at.astimezone(tz), at <= by) for at, by in work.delivered]
    n_day = Counter(t.date() for t, _ in local)
    on_time_day = Counter(t.date() for t, ok in local if ok)
    n_hour = Counter(t.hour for t, _ in local)
    per_delivery = {"km_per_delivery": [_ratio(work.km[d], n_day[d]) for d in ds]}
    if work.shift_s is not None:
        per_delivery["shift_h_per_delivery"] = [_ratio(work.shift_s[d] / 3600, n_day[d])
                                                for d in ds]
    per_delivery["active_h_per_delivery"] = [_ratio(work.active_s[d] / 3600, n_day[d])
                                             for d in ds]
    charts = {
        "deliveries_per_hour": chart("hour", list(range(24)),
                                     deliveries=[n_hour[h] for h in range(24)]),
        "deliveries_per_day": chart("day", iso, deliveries=[n_day[d] for d in ds]),
        "on_time": chart("day", iso, empty=not local,
                         on_time_share=[_ratio(on_time_day[d], n_day[d], 4) for d in ds]),
        "per_delivery": chart("day", iso, **per_delivery),
        "co2": chart("day", iso, km=[round(work.km[d], 2) for d in ds],
                     co2_avoided_kg=[round(work.km[d] * van, 2) for d in ds]),
    }
    n, km = len(local), sum(work.km.values())
    totals = {"deliveries": n, "on_time": sum(1 for _, ok in local if ok),
              "on_time_share": _ratio(sum(1 for _, ok in local if ok), n, 4),
              "km": round(km, 2), "km_per_delivery": _ratio(km, n),
              "active_h": round(sum(work.active_s.values()) / 3600, 2),
              "active_h_per_delivery": _ratio(sum(work.active_s.values()) / 3600, n),
              "co2_avoided_kg": round(km * van, 2)}
    if work.shift_s is not None:
        totals["shift_h"] = round(sum(work.shift_s.values()) / 3600, 2)
        totals["shift_h_per_delivery"] = _ratio(totals["shift_h"], n)
    return charts, totals


def member_charts(first: date, last: date, now: datetime, names: bool, entries: dict) -> dict:
    """Hours on shift and effective hourly pay of the paid members who worked: by name,
    or (``names`` False) as the coop's anonymised distribution, each sorted on its own."""
    report = earnings(first, last, now, entries)
    paid = [m for m in report["members"] if not m["volunteer"] and m["on_shift_s"] > 0]
    rated = [m for m in paid if m["effective_hourly_cents"] is not None]
    floor = max((m["guaranteed_cents"] * 3600 / m["on_shift_s"] for m in paid), default=0)
    if names:
        hours = chart("member", [m["name"] for m in paid],
                      on_shift_h=[round(m["on_shift_s"] / 3600, 2) for m in paid])
        hourly = chart("member", [m["name"] for m in rated],
                       effective_hourly_cents=[m["effective_hourly_cents"] for m in rated])
    else:
        h = sorted(round(m["on_shift_s"] / 3600, 2) for m in paid)
        r = sorted(m["effective_hourly_cents"] for m in rated)
        hours = chart("member", [f"#{i + 1}" for i in range(len(h))], on_shift_h=h)
        hourly = chart("member", [f"#{i + 1}" for i in range(len(r))],
                       effective_hourly_cents=r)
    hourly["guaranteed_hourly_cents"] = round(floor) if floor else None
    return {"hours": hours, "hourly": hourly}


def split(entries: dict, spans: list[tuple[date, date]], tz) -> list[dict]:
    """The period's :func:`~courier.fairwork.earned.collect` ``entries`` cut into
    consecutive parts of it (``spans`` of local days), in one pass; the km planned, which
    no figure here reads, left out."""
    cuts = [bounds(a, b, tz) for a, b in spans]
    starts = [s for s, _ in cuts]
    out = [{k: {"courier": e["courier"], "km_planned_m": 0, "active": [], "work": PayWork()}
            for k, e in entries.items()} for _ in cuts]
    for k, e in entries.items():
        w = e["work"]
        for name in ("deliveries", "failed", "rides"):
            for item in getattr(w, name):
                i = bisect_right(starts, item[1]) - 1
                if i >= 0 and item[1] < cuts[i][1]:
                    getattr(out[i][k]["work"], name).append(item)
        for intervals, on_shift in ((w.shifts, True), (e["active"], False)):
            for a, b in intervals:
                i = max(0, bisect_right(starts, a) - 1)
                while i < len(cuts) and cuts[i][0] < b:
                    part = out[i][k]
                    (part["work"].shifts if on_shift else part["active"]).extend(
                        clip([(a, b)], *cuts[i]))
                    i += 1
    return out


def gini_weeks(first: date, last: date, now: datetime, entries: dict) -> dict:
    """The Gini of hours and of pay of each week's paid members (None under two): the
    earnings report of each week, from the period's ``entries`` cut into weeks."""
    spans = weeks(first, last)
    parts = split(entries, spans, tracking.timezone())
    fair = [earnings(a, b, now, part)["fairness"] for (a, b), part in zip(spans, parts,
                                                                           strict=True)]
    some = [f if f["members"] >= 2 else None for f in fair]
    return chart("week", [a.isoformat() for a, _ in spans],
                 empty=all(f is None for f in some),
                 gini_hours=[f and f["gini_hours"] for f in some],
                 gini_pay=[f and f["gini_pay"] for f in some],
                 members=[f["members"] for f in fair])


def dashboard(first: date, last: date, *, merchant_id: int | None = None, names: bool = False,
              only: tuple[str, ...] | None = None, now: datetime | None = None) -> dict:
    """The charts of the period: the coop's (its members' by name when ``names``), or
    the jobs of the shop ``merchant_id``; ``only`` these charts when given."""
    now = now or utcnow()
    wanted = only or (SHOP_CHARTS if merchant_id is not None else COOP_CHARTS)
    charts: dict = {}
    totals: dict = {}
    entries = None if merchant_id is not None else collect(
        *bounds(first, last, tracking.timezone()), now)  # read once for every chart
    if set(wanted) & set(WORK_CHARTS):
        work = (shop_work(first, last, merchant_id, now) if entries is None
                else coop_work(first, last, entries))
        charts, totals = work_charts(work, first, last)
    if entries is not None and {"hours", "hourly"} & set(wanted):
        charts.update(member_charts(first, last, now, names, entries))
    if entries is not None and "gini_weeks" in wanted:
        charts["gini_weeks"] = gini_weeks(first, last, now, entries)
    return {"from": first.isoformat(), "to": last.isoformat(),
            "timezone": str(tracking.timezone()),
            "scope": "coop" if merchant_id is None else "shop",
            "co2_kg_per_km": van_kg_co2e_per_km(), "totals": totals,
            "charts": {k: charts[k] for k in wanted}}


def to_csv(c: dict) -> str:
    """One chart's numbers: its x column, then one column per series."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([c["label"], *c["series"]])
    columns = list(c["series"].values())
    for i, label in enumerate(c["labels"]):
        w.writerow([_cell(str(label)), *("" if s[i] is None else s[i] for s in columns)])
    return buf.getvalue()
