"""The figures of a simulated day, read back from the database it ran on and from what
the simulation saw (arrivals at the door, kilometres ridden, time busy), and the table
that puts two policies side by side.

Never served: still waiting when the day ended, or given up by the shop half an hour
past the deadline (:mod:`courier.bench.day_sim`), each with the reason dispatch gave it.
Late means reaching the door after the job's ``deliver_by`` (the window dispatch plans
with bounds the start of service); lateness is counted over the deliveries (zero for
those on time). Times from submission are taken from the event log: the first offer,
the first acceptance, the pickup.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from courier.bench.day_couriers import couriers_figures
from courier.bench.day_sim import Record
from courier.extensions import db
from courier.models import Event, Job, JobStatus

TOP_REASONS = 5


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank ``q`` percentile (0-100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _r(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def _first(action: str) -> dict[int, datetime]:
    rows = db.session.execute(select(Event.job_id, func.min(Event.at)).where(
        Event.subject == "job", Event.action == action, Event.job_id.is_not(None))
        .group_by(Event.job_id)).all()
    return dict(rows)


def _minutes(pairs) -> list[float]:
    return [(b - a).total_seconds() / 60 for a, b in pairs if a is not None and b is not None]


def _kind(phrase: dict | None) -> str | None:
    """The template of the reason inside a stored reason phrase (its times and names
    left out), so that reasons of one kind count together."""
    while phrase and isinstance(phrase.get("values", {}).get("reason"), dict):
        phrase = phrase["values"]["reason"]
    return phrase.get("template") if phrase else None


def never_served_reasons(jobs: list[Job]) -> dict[str, dict]:
    """Why jobs were never served, by kind of reason: how many, and one job's words."""
    kinds: dict[str, dict] = {}
    for j in jobs:
        if j.status == JobStatus.OFFERED:
            key, text = "offered when the day ended", "offered when the day ended"
        else:
            text = j.unassigned_reason or "never planned"
            key = _kind(j.unassigned_reason_phrase) or text
        entry = kinds.setdefault(key, {"count": 0, "example": text})
        entry["count"] += 1
    top = sorted(kinds.items(), key=lambda kv: -kv[1]["count"])[:TOP_REASONS]
    return dict(top)


def replans() -> dict[str, int]:
    """Times a job offered or accepted went back to be planned again, by what sent it
    back (an offer declined or lapsed, work released, a late run re-planned...)."""
    rows = db.session.execute(select(Event.action, func.count(Event.id)).where(
        Event.subject == "job", Event.to_status == JobStatus.PENDING.value,
        Event.from_status.in_([JobStatus.OFFERED.value, JobStatus.ACCEPTED.value]))
        .group_by(Event.action)).all()
    return {action: n for action, n in sorted(rows)}


def series(rec: Record, late_min: list[float], hours: list[float],
           delivered: list[Job], never: list[Job]) -> dict:
    """The day's course and spreads, for the charts (:mod:`courier.bench.day_plot`),
    and which of the day's jobs (by their place in the arrivals) were delivered and
    which never served, to compare the policies job by job."""
    return {"t_h": [round(t / 3600, 3) for t, *_ in rec.series],
            "delivered_arrivals": sorted(rec.index[j.id] for j in delivered),
            "never_served_arrivals": sorted(rec.index[j.id] for j in never),
            "waiting_jobs": [n for _, n, _, _ in rec.series],
            "busy_couriers": [n for _, _, n, _ in rec.series],
            "on_shift": [n for *_, n in rec.series],
            "lateness_min": [round(x, 2) for x in late_min],
            "hours_per_courier": hours}


def missed(figs: dict, other: dict) -> int:
    """Jobs ``figs``'s policy never served that ``other``'s delivered: jobs it could
    have served, by the proof of the other policy having done it the same day."""
    return len(set(figs["series"]["never_served_arrivals"])
               & set(other["series"]["delivered_arrivals"]))


def figures(rec: Record, wall_s: float, cpu_s: float | None = None) -> dict:
    """Every figure of the day just run (a dict ready for JSON); the course of the day
    and the spreads the charts need are under ``series``."""
    jobs = db.session.scalars(select(Job).order_by(Job.id)).all()
    offered, accepted = _first("offered"), _first("accepted")
    by_status = Counter(j.status for j in jobs)
    delivered = [j for j in jobs if j.status == JobStatus.DELIVERED]
    never = [j for j in jobs if j.status in (JobStatus.PENDING, JobStatus.OFFERED,
                                             JobStatus.CANCELLED)]
    unfinished = [j for j in jobs if j.status in (JobStatus.ACCEPTED, JobStatus.PICKED_UP)]
    late_min = [max(0.0, (rec.door[j.id] - j.deliver_by).total_seconds() / 60)
                for j in delivered]
    late = [x for x in late_min if x > 0]
    reasons = never_served_reasons(never)
    n_del = len(delivered)
    cycle_s = [c for c, _ in rec.cycles]
    open_jobs = [n for _, n in rec.cycles]
    people = couriers_figures(rec.end) if rec.end else {"hours_per_courier": []}
    hours = people.pop("hours_per_courier")
    back = replans()
    return {
        "jobs": len(jobs),
        "not_sent": rec.not_sent,  # refused at submission: no vehicle of the coop carries it
        "delivered": n_del,
        "late": len(late),
        "on_time": n_del - len(late),
        "failed": by_status[JobStatus.FAILED],
        "given_up": by_status[JobStatus.CANCELLED],
        "never_served": len(never),
        "unfinished": len(unfinished),
        "never_served_reasons": reasons,
        "on_time_share": _r((n_del - len(late)) / n_del if n_del else None, 4),
        "served_share": _r((n_del + by_status[JobStatus.FAILED]) / len(jobs)
                           if jobs else None, 4),
        "lateness_mean_min": _r(sum(late_min) / n_del if n_del else None),
        "lateness_late_mean_min": _r(sum(late) / len(late) if late else None),
        "lateness_p95_min": _r(percentile(late_min, 95)),
        "lateness_max_min": _r(max(late_min, default=None)),
        "to_offer_p50_min": _r(percentile(_minutes(
            (j.created_at, offered.get(j.id)) for j in jobs), 50)),
        "to_offer_p95_min": _r(percentile(_minutes(
            (j.created_at, offered.get(j.id)) for j in jobs), 95)),
        "to_accept_p50_min": _r(percentile(_minutes(
            (j.created_at, accepted.get(j.id)) for j in jobs), 50)),
        "to_accept_p95_min": _r(percentile(_minutes(
            (j.created_at, accepted.get(j.id)) for j in jobs), 95)),
        "to_pickup_p50_min": _r(percentile(_minutes(
            (j.created_at, j.picked_up_at) for j in jobs), 50)),
        "to_pickup_p95_min": _r(percentile(_minutes(
            (j.created_at, j.picked_up_at) for j in jobs), 95)),
        "km": _r(rec.metres / 1000, 1),
        "km_per_delivery": _r(rec.metres / 1000 / n_del if n_del else None, 3),
        "shift_hours": _r(rec.shift_s / 3600, 1),
        "shift_hours_per_delivery": _r(rec.shift_s / 3600 / n_del if n_del else None, 3),
        "busy_hours": _r(rec.busy_s / 3600, 1),
        "busy_hours_per_delivery": _r(rec.busy_s / 3600 / n_del if n_del else None, 3),
        "waiting_share": _r(rec.waiting_s / rec.busy_s if rec.busy_s else None, 4),
        "offers": dict(rec.offers),
        "refused_at_accept": rec.refused,
        "replans": sum(back.values()),
        "replans_by_action": back,
        **people,
        "cycles": len(cycle_s),
        "cycles_skipped": rec.skipped,
        "cycle_p50_s": _r(percentile(cycle_s, 50), 3),
        "cycle_p99_s": _r(percentile(cycle_s, 99), 3),
        "cycle_max_s": _r(max(cycle_s, default=None), 3),
        # the target's load: cycles with 150 jobs waiting or more
        "cycles_150": sum(1 for n in open_jobs if n >= 150),
        "cycle_p99_150_s": _r(percentile([c for c, n in rec.cycles if n >= 150], 99), 3),
        "open_jobs_mean": _r(sum(open_jobs) / len(open_jobs) if open_jobs else None, 1),
        "open_jobs_max": max(open_jobs, default=0),
        "day_ended_at": rec.end.isoformat() if rec.end else None,
        "wall_s": round(wall_s, 1),
        "cpu_s": round(cpu_s, 1) if cpu_s is not None else None,  # this process's
        "series": series(rec, late_min, hours, delivered, never),
    }


# (key, label, unit, lower is better) of the side-by-side table
ROWS = (
    ("delivered", "delivered", "", False), ("on_time", "on time", "", False),
    ("late", "late", "", True), ("failed", "failed (recipient absent)", "", True),
    ("never_served", "never served", "", True), ("given_up", "  of which given up", "", True),
    ("missed", "  of which the other delivered", "", True),
    ("on_time_share", "on-time share", "", False),
    ("lateness_mean_min", "lateness mean", "min", True),
    ("lateness_p95_min", "lateness p95", "min", True),
    ("to_offer_p50_min", "sent -> offer p50", "min", True),
    ("to_offer_p95_min", "sent -> offer p95", "min", True),
    ("to_accept_p50_min", "sent -> accepted p50", "min", True),
    ("to_accept_p95_min", "sent -> accepted p95", "min", True),
    ("to_pickup_p50_min", "sent -> picked up p50", "min", True),
    ("to_pickup_p95_min", "sent -> picked up p95", "min", True),
    ("km_per_delivery", "km per delivery", "km", True),
    ("busy_hours_per_delivery", "busy courier-h per delivery", "h", True),
    ("shift_hours_per_delivery", "shift courier-h per delivery", "h", True),
    ("waiting_share", "waiting share of busy time", "", True),
    ("replans", "re-plans (job sent back)", "", True),
    ("couriers_worked", "couriers who worked", "", False),
    ("hours_min", "hours on shift min", "h", False),
    ("hours_median", "hours on shift median", "h", False),
    ("hours_max", "hours on shift max", "h", False),
    ("hours_gini", "hours Gini", "", True),
    ("pay_gini", "pay Gini", "", True),
    ("hourly_min_eur", "hourly pay min", "EUR", False),
    ("hourly_median_eur", "hourly pay median", "EUR", False),
    ("hourly_max_eur", "hourly pay max", "EUR", False),
    ("share_under_floor", "share under the pay floor", "", True),
    ("cycles", "dispatch cycles run", "", True),
    ("cycles_skipped", "  skipped, nothing to decide", "", False),
    ("cycle_p50_s", "dispatch cycle p50", "s", True),
    ("cycle_p99_s", "dispatch cycle p99", "s", True),
    ("cycle_p99_150_s", "  p99 with 150+ jobs waiting", "s", True),
    ("open_jobs_mean", "open jobs per cycle (mean)", "", True),
    ("open_jobs_max", "open jobs per cycle (max)", "", True),
    ("wall_s", "wall time", "s", True),
    ("cpu_s", "CPU time", "s", True),
)


def difference(a: dict, b: dict) -> dict:
    """``a`` against ``b`` for each row: the difference and, where both are positive,
    the ratio."""
    out = {}
    for key, *_ in ROWS:
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            out[key] = None
            continue
        out[key] = {"diff": round(x - y, 4), "ratio": round(x / y, 3) if y else None}
    return out


def _fmt(x) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}" if isinstance(x, float) and abs(x) < 10 else (
        f"{x:.1f}" if isinstance(x, float) else str(x))


def _short(text: str, width: int = 150) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def table(dispatch: dict, greedy: dict | None) -> list[str]:
    """The figures as lines of text, the greedy baseline beside when there is one."""
    lines = [f"{'':30} {'dispatch':>10}" + (f" {'greedy':>10} {'difference':>12}"
                                          if greedy else "")]
    diff = difference(dispatch, greedy) if greedy else {}
    for key, label, unit, _ in ROWS:
        name = f"{label} ({unit})" if unit else label
        line = f"{name:30} {_fmt(dispatch.get(key)):>10}"
        if greedy:
            d = diff.get(key)
            ratio = f" x{d['ratio']:.2f}" if d and d["ratio"] is not None else ""
            line += f" {_fmt(greedy.get(key)):>10} {_fmt(d and d['diff']):>6}{ratio}"
        lines.append(line)
    for name, figs in (("dispatch", dispatch), ("greedy", greedy)):
        if figs and figs.get("replans_by_action"):
            lines.append(f"re-plans ({name}): " + ", ".join(
                f"{n} {action}" for action, n in figs["replans_by_action"].items()))
        if figs and figs["never_served_reasons"]:
            lines.append(f"never served ({name}):")
            lines += [f"  {r['count']:4}  e.g. {_short(r['example'])}"
                      for r in figs["never_served_reasons"].values()]
    return lines
