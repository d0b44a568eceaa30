"""Earnings and fairness reports per member and period, coop totals, CSV.

A period is a range of whole local days ``[first, last]``. Per member:
deliveries, km planned (runs accepted) and ridden (runs done, in proportion to
the stops done), hours on shift (breaks excluded) and active (from accepting a
run to its last stop), pay by component and by rules version, the top-up, and
the effective hourly pay before top-up (only over at least the time on shift the council
set, ``fairness.hourly_shown_from_s``: over less, it would say little but look exact), the
failed attempts and what the rules pay for them. Fairness across members: Gini of hours
and of pay, min/median/max effective hourly pay, share below the guaranteed
rate before top-up. The figures come from
:func:`courier.fairwork.earned.collect`, as do those balancing in dispatch evens out.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from courier.fairwork import intervals, tracking
from courier.fairwork import rules as R
from courier.fairwork.earned import collect
from courier.fairwork.intervals import seconds
from courier.fairwork.pay import COMPONENTS, guaranteed_cents, pay_lines
from courier.fairwork.versions import Timeline
from courier.models import utcnow


def bounds(first: date, last: date, tz) -> tuple[datetime, datetime]:
    """The UTC instants a range of local days starts and ends."""
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz)
    return start, end


def gini(values: list[float]) -> float:
    """0 when everyone has the same, towards 1 when one member has everything."""
    xs = sorted(v for v in values if v >= 0)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 4)


def member_row(entry: dict, timeline: Timeline, tz, shown_from_s: int = 0) -> dict:
    """One member's figures; the effective hourly pay is None under ``shown_from_s``."""
    c, work = entry["courier"], entry["work"]
    volunteer = bool(getattr(c, "volunteer", False))
    lines = [] if volunteer else pay_lines(work, timeline, tz)  # volunteers are never paid
    by_comp = {k: 0 for k in COMPONENTS}
    by_version: dict[int, int] = defaultdict(int)
    for line in lines:
        by_comp[line.component] += line.cents
        by_version[line.version] += line.cents
    hours = seconds(work.shifts)
    before = sum(v for k, v in by_comp.items() if k != "topup")
    return {
        "courier_id": c.id, "name": c.user.name, "vehicle": c.vehicle.value,
        "deliveries": len(work.deliveries),
        "failed_attempts": len(work.failed),
        "km_planned": round(entry["km_planned_m"] / 1000, 2),
        "km_ridden": round(sum(m for _, _, m in work.rides) / 1000, 2),
        "on_shift_s": hours,
        "active_s": seconds(intervals.merge(entry["active"])),
        "pay": by_comp,
        "by_version": [{"version": k, "cents": v} for k, v in sorted(by_version.items())],
        "before_topup_cents": before,
        "topup_cents": by_comp["topup"],
        "total_cents": before + by_comp["topup"],
        "guaranteed_cents": 0 if volunteer else guaranteed_cents(work, timeline, tz),
        "volunteer": volunteer,
        "effective_hourly_cents": (round(before * 3600 / hours)
                                   if hours and hours >= shown_from_s else None),
        "lines": [{"day": x.day.isoformat(), "component": x.component, "version": x.version,
                   "quantity": x.quantity, "cents": x.cents} for x in lines],
    }


def fairness(members: list[dict]) -> dict:
    working = [m for m in members if m["on_shift_s"] > 0]
    rates = sorted(m["effective_hourly_cents"] for m in working
                   if m["effective_hourly_cents"] is not None)
    below = sum(1 for m in working if m["before_topup_cents"] < m["guaranteed_cents"])
    return {
        "members": len(working),
        "gini_hours": gini([m["on_shift_s"] for m in working]),
        "gini_pay": gini([m["total_cents"] for m in working]),
        "hourly_min_cents": rates[0] if rates else None,
        "hourly_median_cents": round(statistics.median(rates)) if rates else None,
        "hourly_max_cents": rates[-1] if rates else None,
        "share_below_guaranteed": round(below / len(working), 4) if working else 0.0,
    }


def earnings(first: date, last: date, now: datetime | None = None,
             entries: dict | None = None) -> dict:
    """The full report of the period (for the council); ``entries``: the period's
    :func:`~courier.fairwork.earned.collect`, when the caller has it already."""
    now = now or utcnow()
    tz = tracking.timezone()
    start, end = bounds(first, last, tz)
    timeline = Timeline()
    entries = collect(start, end, now) if entries is None else entries
    rules_then = in_effect(timeline, min(end, now), now)
    members = [member_row(e, timeline, tz, rules_then["hourly_shown_from_s"])
               for e in entries.values()]
    members = [m for m in members if m["on_shift_s"] or m["deliveries"] or m["total_cents"]
               or m["km_planned"]]
    paid = [m for m in members if not m["volunteer"]]  # volunteers' time is shown apart
    totals = {"deliveries": sum(m["deliveries"] for m in paid),
              "km_planned": round(sum(m["km_planned"] for m in paid), 2),
              "km_ridden": round(sum(m["km_ridden"] for m in paid), 2),
              "on_shift_s": sum(m["on_shift_s"] for m in paid),
              "active_s": sum(m["active_s"] for m in paid),
              "pay": {k: sum(m["pay"][k] for m in paid) for k in COMPONENTS},
              "topup_cents": sum(m["topup_cents"] for m in paid),
              "total_cents": sum(m["total_cents"] for m in paid),
              "volunteers": volunteer_totals([m for m in members if m["volunteer"]])}
    versions = sorted({line["version"] for m in members for line in m["lines"]})
    return {"from": first.isoformat(), "to": last.isoformat(), "timezone": str(tz),
            "versions": versions, "members": members, "totals": totals,
            "fairness": fairness(paid), "rules": rules_then}


def in_effect(timeline: Timeline, end: datetime, now: datetime) -> dict:
    """The rules a report's reader needs to read it: what failed attempts are paid under
    the version in force at the end of the period (``version``), and over how much time on
    shift an effective hourly pay is shown (a way of showing figures: the rules in force
    now)."""
    v = timeline.at(end)
    return {"version": v.number, "failed_attempt": R.value(v.rules, "pay.failed_attempt"),
            "hourly_shown_from_s": R.value(timeline.at(now).rules,
                                           "fairness.hourly_shown_from_s")}


def volunteer_totals(volunteers: list[dict]) -> dict:
    """Volunteers' work, apart from the paid members' (their pay is always zero)."""
    return {"members": len(volunteers),
            "deliveries": sum(m["deliveries"] for m in volunteers),
            "km_ridden": round(sum(m["km_ridden"] for m in volunteers), 2),
            "on_shift_s": sum(m["on_shift_s"] for m in volunteers),
            "active_s": sum(m["active_s"] for m in volunteers),
            "total_cents": sum(m["total_cents"] for m in volunteers)}


def anonymised(report: dict, courier_id: int) -> dict:
    """A member's view: their own detail, everyone else only as a distribution."""
    own = next((m for m in report["members"] if m["courier_id"] == courier_id), None)
    others = [m for m in report["members"] if not m.get("volunteer")]
    return {**{k: report[k] for k in ("from", "to", "timezone", "versions", "fairness",
                                      "rules")},
            "members": [own] if own else [],
            "totals": report["totals"],
            "distribution": {
                "on_shift_s": sorted(m["on_shift_s"] for m in others),
                "total_cents": sorted(m["total_cents"] for m in others),
                "effective_hourly_cents": sorted(m["effective_hourly_cents"] for m in others
                                                 if m["effective_hourly_cents"] is not None)}}


CSV_COLUMNS = ("courier_id", "name", "vehicle", "deliveries", "km_planned", "km_ridden",
               "on_shift_h", "active_h", *(f"{c}_cents" for c in COMPONENTS),
               "before_topup_cents", "total_cents", "effective_hourly_cents", "volunteer")


def to_csv(report: dict) -> str:
    """One row per member, then the coop total."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for m in report["members"]:
        w.writerow([m["courier_id"], m["name"], m["vehicle"], m["deliveries"], m["km_planned"],
                    m["km_ridden"], round(m["on_shift_s"] / 3600, 2),
                    round(m["active_s"] / 3600, 2), *(m["pay"][c] for c in COMPONENTS),
                    m["before_topup_cents"], m["total_cents"], m["effective_hourly_cents"],
                    "yes" if m.get("volunteer") else ""])
    t = report["totals"]
    w.writerow(["", "total", "", t["deliveries"], t["km_planned"], t["km_ridden"],
                round(t["on_shift_s"] / 3600, 2), round(t["active_s"] / 3600, 2),
                *(t["pay"][c] for c in COMPONENTS),
                t["total_cents"] - t["topup_cents"], t["total_cents"], "", ""])
    v = t.get("volunteers") or {}
    if v.get("members"):  # volunteers' time, apart from the paid total; never any pay
        w.writerow(["", "volunteers", "", v["deliveries"], "", v["km_ridden"],
                    round(v["on_shift_s"] / 3600, 2), round(v["active_s"] / 3600, 2),
                    *(0 for _ in COMPONENTS), 0, 0, "", "yes"])
    return buf.getvalue()
