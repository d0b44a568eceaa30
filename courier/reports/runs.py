"""Pay per run and per job: what each run of a member's paid, component by component,
each job's share of it, and the decision that gave them the run.

A run's pay is :func:`courier.fairwork.estimate.run_pay_cents`'s computation (the "+x €"
the phone showed when it ended): :func:`~courier.fairwork.pay.pay_lines` over its
deliveries, failed attempts and km, under the rules version in force at the time. Each
component of it is shared among the run's jobs (a delivery's rate and bonus to that job,
the km by the stops each job counts), to the cent, so the jobs add up to their run
exactly. Pay for time on shift and the day's top-up are not per run: the earnings report
has them by day.

A failed job says what it earned and why: the failure, and what the rules in force when it
failed pay for a failed attempt (``pay.failed_attempt``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from courier.extensions import db
from courier.fairwork import tracking
from courier.fairwork.earned import counted, failed_at
from courier.fairwork.estimate import run_work
from courier.fairwork.pay import COMPONENTS, Work, failed_rule, pay_lines, pays_failed_ride
from courier.fairwork.versions import Timeline
from courier.models import Courier, Event, JobStatus, Run, RunStatus, RunStop, StopKind, utcnow
from courier.reports.earnings import bounds

RUN_COMPONENTS = tuple(c for c in COMPONENTS if c not in ("hours", "topup"))
DECIDED = ("offered", "reassigned")  # the decisions that give a courier a run


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` cents shared in proportion to ``weights``, to the cent (largest
    remainders first), so the shares add up to ``total`` exactly."""
    whole = sum(weights)
    if not weights:
        return []
    if whole <= 0:
        return [total] + [0] * (len(weights) - 1)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[:total - sum(shares)]:
        shares[i] += 1
    return shares


def _by_component(lines) -> dict[str, int]:
    out = {c: 0 for c in RUN_COMPONENTS}
    for line in lines:
        out[line.component] += line.cents
    return out


def _decisions(run_ids: list[int]) -> dict[int, Event]:
    """The latest decision that gave each run to its courier."""
    found: dict[int, Event] = {}
    if run_ids:
        for ev in db.session.scalars(select(Event).where(
                Event.run_id.in_(run_ids), Event.action.in_(DECIDED)).order_by(Event.id)):
            found[ev.run_id] = ev
    return found


def _jobs(run: Run, timeline: Timeline, tz, volunteer: bool) -> list[dict]:
    """The run's jobs with their own pay, before sharing the run's to the cent."""
    at = run.ended_at or run.planned_end
    ride = pays_failed_ride(timeline.at(at))
    live = run.status == RunStatus.ACCEPTED
    failed = failed_at([s.job_id for s in run.stops if s.job.status == JobStatus.FAILED])
    per: dict[int, dict] = {}
    for stop in run.stops:
        job = stop.job
        row = per.setdefault(job.id, {"job_id": job.id, "status": job.status.value,
                                      "stops": 0, "work": Work(), "at": None})
        if counted(stop, ride) or (live and job.is_open):
            row["stops"] += 1
        if stop.kind != StopKind.DROPOFF:
            continue
        if job.status == JobStatus.DELIVERED and job.delivered_at:
            row["work"].deliveries.append((job.id, job.delivered_at))
            row["at"] = job.delivered_at
        elif job.id in failed:
            row["work"].failed.append((job.id, failed[job.id]))
            row["at"] = failed[job.id]
            version = timeline.at(failed[job.id])
            row["failed"] = {"reason": job.failure_reason or "", "version": version.number,
                             "failed_attempt": failed_rule(version)}
        elif live and job.is_open:
            row["work"].deliveries.append((job.id, stop.planned_arrival))
    for row in per.values():
        row["own"] = _by_component([] if volunteer else pay_lines(row.pop("work"), timeline, tz))
    return list(per.values())


def run_row(run: Run, timeline: Timeline, tz, decision: Event | None) -> dict:
    """One run: its pay by component (the run's own computation), its jobs' shares, and
    the decision that gave it."""
    volunteer = bool(run.courier and run.courier.volunteer)
    work = run_work(run, timeline)
    pay = _by_component([] if volunteer else pay_lines(work, timeline, tz))
    jobs = _jobs(run, timeline, tz, volunteer)
    shares = {c: apportion(pay[c], [(j["stops"] if c == "distance" else j["own"][c])
                                    for j in jobs]) for c in RUN_COMPONENTS}
    metres = sum(m for _, _, m in work.rides)
    stops = sum(x["stops"] for x in jobs)
    for i, j in enumerate(jobs):
        j["pay"] = {c: shares[c][i] for c in RUN_COMPONENTS}
        j["total_cents"] = sum(j["pay"].values())
        j["km"] = round(metres * j.pop("stops") / stops / 1000, 2) if stops else 0.0
        j.pop("own")
        j["at"] = j["at"].isoformat() if j["at"] else None
    return {"run_id": run.id, "status": run.status.value,
            "accepted_at": run.accepted_at.isoformat() if run.accepted_at else None,
            "ended_at": run.ended_at.isoformat() if run.ended_at else None,
            "in_progress": run.status == RunStatus.ACCEPTED, "km": round(metres / 1000, 2),
            "pay": pay, "total_cents": sum(pay.values()),
            "decision": None if decision is None else {
                "event_id": decision.id, "action": decision.action,
                "at": decision.at.isoformat(), "reason": decision.reason,
                "reason_phrase": decision.reason_phrase},
            "jobs": jobs}


def member_runs(courier: Courier, first: date, last: date, now: datetime | None = None) -> dict:
    """The runs of ``courier`` that ended in ``[first, last]`` (local days), and the one
    they are riding if the period reaches now, each with its pay and jobs."""
    now = now or utcnow()
    tz = tracking.timezone()
    start, end = bounds(first, last, tz)
    done = (Run.status == RunStatus.DONE) & (Run.ended_at >= start) & (Run.ended_at < end)
    riding = (Run.status == RunStatus.ACCEPTED) & (Run.accepted_at < end)
    runs = list(db.session.scalars(select(Run).options(
        selectinload(Run.stops).selectinload(RunStop.job)).where(
        Run.courier_id == courier.id, done | (riding if start <= now < end else false()))
        .order_by(Run.accepted_at, Run.id)))
    timeline = Timeline()
    decisions = _decisions([r.id for r in runs])
    rows = [run_row(r, timeline, tz, decisions.get(r.id)) for r in runs]
    totals = defaultdict(int)
    for r in rows:
        for c in RUN_COMPONENTS:
            totals[c] += r["pay"][c]
    return {"from": first.isoformat(), "to": last.isoformat(), "timezone": str(tz),
            "courier_id": courier.id, "volunteer": bool(courier.volunteer), "runs": rows,
            "totals": {"runs": len(rows), "jobs": sum(len(r["jobs"]) for r in rows),
                       "failed_attempts": sum(1 for r in rows for j in r["jobs"]
                                              if j.get("failed")),
                       "pay": {c: totals[c] for c in RUN_COMPONENTS},
                       "total_cents": sum(r["total_cents"] for r in rows)}}


CSV_COLUMNS = ("run_id", "job_id", "status", "at", "km", *(f"{c}_cents" for c in RUN_COMPONENTS),
               "total_cents", "failure_reason", "failed_attempt_paid")


def _cell(text: str) -> str:
    """Words a courier typed, as a spreadsheet shows them: never run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(data: dict) -> str:
    """One row per job, then one per run (its total), then the period's total."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for r in data["runs"]:
        for j in r["jobs"]:
            f = j.get("failed") or {}
            w.writerow([r["run_id"], j["job_id"], j["status"], j["at"] or "", j["km"],
                        *(j["pay"][c] for c in RUN_COMPONENTS), j["total_cents"],
                        _cell(f.get("reason", "")), f.get("failed_attempt", "")])
        w.writerow([r["run_id"], "", r["status"], r["ended_at"] or "", r["km"],
                    *(r["pay"][c] for c in RUN_COMPONENTS), r["total_cents"], "", ""])
    t = data["totals"]
    w.writerow(["total", "", "", "", "", *(t["pay"][c] for c in RUN_COMPONENTS),
                t["total_cents"], "", ""])
    return buf.getvalue()
