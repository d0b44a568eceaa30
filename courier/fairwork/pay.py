"""Pay, component by component, under the rules version in force at the time of the work.

Pure functions: a courier's :class:`Work` (net time on shift, deliveries, km
ridden) and a :class:`~courier.fairwork.versions.Timeline` in, pay
:class:`Line` items out. Every line names its local day, component and rules
version; a member's pay is the sum of their lines, the cooperative's the sum of
its members', so reports always reconcile.

Components: ``hours`` (per hour on shift, breaks excluded), ``deliveries``,
``failed_attempts`` (a failed delivery paid at the delivery rate, when the council's
``pay.failed_attempt`` rule says "full"), ``distance`` (per km ridden: a failed attempt's
ride counts when that rule says "ride" or "full"), ``night_bonus`` and ``sunday_bonus`` (a
percentage of the hourly and per-delivery pay earned at night or on Sunday,
local time), and ``topup``: each local day, pay below the guaranteed hourly
rate times the hours worked that day is topped up to it. Money is integer
cents, rounded half up once per line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from courier.fairwork import rules as R
from courier.fairwork.intervals import Interval

COMPONENTS = ("hours", "deliveries", "failed_attempts", "distance", "night_bonus",
              "sunday_bonus", "topup")


def failed_rule(version) -> str:
    """What a failed attempt pays under ``version``: "none", "ride" or "full"."""
    return R.value(version.rules, "pay.failed_attempt")


def pays_failed_ride(version) -> bool:
    """Whether the km of a failed attempt count under ``version``."""
    return failed_rule(version) in ("ride", "full")


@dataclass
class Work:
    """What one courier did, with when: the input of pay."""

    shifts: list[Interval] = field(default_factory=list)  # net time on shift
    deliveries: list[tuple[int, datetime]] = field(default_factory=list)  # (job id, at)
    rides: list[tuple[int, datetime, int]] = field(default_factory=list)  # (run id, at, metres)
    failed: list[tuple[int, datetime]] = field(default_factory=list)  # (job id, at)


@dataclass(frozen=True)
class Line:
    day: date
    component: str
    version: int
    quantity: int  # seconds, deliveries or metres (0 for bonuses and top-ups)
    cents: int


def _div(num: int, den: int) -> int:
    """``num / den`` rounded half up (both non-negative)."""
    return (2 * num + den) // (2 * den)


def _night(hour: int, pay: dict) -> bool:
    a, b = pay["night_from_h"], pay["night_to_h"]
    return (a <= hour or hour < b) if a > b else (a <= hour < b)


def _pieces(start: datetime, end: datetime, tz: ZoneInfo, cuts: list[datetime]):
    """``[start, end)`` cut at local hour boundaries and at ``cuts``."""
    points = set(c for c in cuts if start < c < end)
    local = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    t = (local + timedelta(hours=1)).astimezone(start.tzinfo)
    while t < end:
        points.add(t)
        t = (t.astimezone(tz) + timedelta(hours=1)).astimezone(start.tzinfo)
    edges = [start, *sorted(points), end]
    return list(zip(edges, edges[1:], strict=False))


def pay_lines(work: Work, timeline, tz: ZoneInfo) -> list[Line]:
    """The pay lines of ``work`` (already cut to the period), ordered by day."""
    secs = defaultdict(int)  # (day, version, night, sunday) -> seconds
    cuts = [v.effective_from for v in timeline.versions]
    for s, e in work.shifts:
        for a, b in _pieces(s, e, tz, cuts):
            v = timeline.at(a)
            local = a.astimezone(tz)
            key = (local.date(), v.number, _night(local.hour, v.rules["pay"]),
                   local.weekday() == 6)
            secs[key] += int((b - a).total_seconds())
    rules = {v.number: v.rules["pay"] for v in timeline.versions}
    lines: list[Line] = []
    hours = defaultdict(int)
    for (day, num, _night_flag, _sunday), n in secs.items():
        hours[(day, num)] += n
    for (day, num), n in hours.items():
        lines.append(Line(day, "hours", num, n, _div(n * rules[num]["per_hour_cents"], 3600)))
    bonus = defaultdict(int)  # (day, version, component) -> cents * 100 * 3600 (exact)
    for (day, num, night, sunday), n in secs.items():
        base = n * rules[num]["per_hour_cents"]  # cents * 3600
        for flag, comp, pct in ((night, "night_bonus", "night_bonus_pct"),
                                (sunday, "sunday_bonus", "sunday_bonus_pct")):
            if flag and rules[num][pct]:
                bonus[(day, num, comp)] += base * rules[num][pct]
    count = defaultdict(int)  # (day, version, component) -> attempts paid a delivery rate
    paid = [(at, "deliveries") for _job, at in work.deliveries]
    paid += [(at, "failed_attempts") for _job, at in work.failed
             if failed_rule(timeline.at(at)) == "full"]
    for at, comp in paid:
        v = timeline.at(at)
        local = at.astimezone(tz)
        p = v.rules["pay"]
        count[(local.date(), v.number, comp)] += 1
        for flag, comp, pct in ((_night(local.hour, p), "night_bonus", "night_bonus_pct"),
                                (local.weekday() == 6, "sunday_bonus", "sunday_bonus_pct")):
            if flag and p[pct]:
                bonus[(local.date(), v.number, comp)] += p["per_delivery_cents"] * p[pct] * 3600
    for (day, num, comp), n in count.items():
        lines.append(Line(day, comp, num, n, n * rules[num]["per_delivery_cents"]))
    metres = defaultdict(int)
    for _run, at, m in work.rides:
        v = timeline.at(at)
        metres[(at.astimezone(tz).date(), v.number)] += m
    for (day, num), m in metres.items():
        lines.append(Line(day, "distance", num, m, _div(m * rules[num]["per_km_cents"], 1000)))
    for (day, num, comp), exact in bonus.items():
        lines.append(Line(day, comp, num, 0, _div(exact, 100 * 3600)))
    lines.extend(_topups(lines, secs, rules))
    order = {c: i for i, c in enumerate(COMPONENTS)}
    return sorted(lines, key=lambda x: (x.day, order[x.component], x.version))


def guaranteed(secs: dict, rules: dict) -> dict[date, tuple[int, int]]:
    """Per day: (guaranteed cents, version of the day's last work)."""
    exact, last = defaultdict(int), {}
    for (day, num, _n, _s), n in secs.items():
        exact[day] += n * rules[num]["guaranteed_hourly_cents"]
        last[day] = max(last.get(day, num), num)
    return {day: (_div(x, 3600), last[day]) for day, x in exact.items()}


def _topups(lines: list[Line], secs: dict, rules: dict) -> list[Line]:
    earned = defaultdict(int)
    for line in lines:
        earned[line.day] += line.cents
    out = []
    for day, (floor, num) in guaranteed(secs, rules).items():
        if floor > earned[day]:
            out.append(Line(day, "topup", num, 0, floor - earned[day]))
    return out


def guaranteed_cents(work: Work, timeline, tz: ZoneInfo) -> int:
    """The guaranteed minimum for the time in ``work`` (before comparing with pay)."""
    secs = defaultdict(int)
    for s, e in work.shifts:
        for a, b in _pieces(s, e, tz, [v.effective_from for v in timeline.versions]):
            local = a.astimezone(tz)
            secs[(local.date(), timeline.at(a).number, False, False)] += int(
                (b - a).total_seconds())
    rules = {v.number: v.rules["pay"] for v in timeline.versions}
    return sum(c for c, _ in guaranteed(secs, rules).values())
