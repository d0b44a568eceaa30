"""What must hold in the database whatever crashed or raced: no half-written run, no
job in two runs, and an event log that tells the same story as the tables."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from courier.extensions import db
from courier.models import Event, Job, JobStatus, Run, RunStatus, RunStop

RUN_OF_JOB = {  # a job in this status must be on a run in one of these statuses
    JobStatus.OFFERED: {RunStatus.OFFERED},
    JobStatus.ACCEPTED: {RunStatus.ACCEPTED},
    JobStatus.PICKED_UP: {RunStatus.ACCEPTED},
}


def check_consistency() -> list[str]:
    """Every broken rule, in words (empty when all is well)."""
    db.session.expire_all()
    problems: list[str] = []
    jobs = {j.id: j for j in db.session.scalars(select(Job))}
    runs = {r.id: r for r in db.session.scalars(select(Run))}
    stops = defaultdict(list)
    for s in db.session.scalars(select(RunStop).order_by(RunStop.run_id, RunStop.seq)):
        stops[s.run_id].append(s)
    for run in runs.values():
        mine = stops[run.id]
        if not mine:
            problems.append(f"run {run.id} ({run.status.value}) has no stops")
        kinds = defaultdict(list)
        for s in mine:
            kinds[s.job_id].append((s.kind.value, s.seq))
        for job_id, ks in kinds.items():
            if sorted(k for k, _ in ks) != ["dropoff", "pickup"]:
                problems.append(f"run {run.id}: job {job_id} has stops {ks}")
            elif dict(ks)["pickup"] > dict(ks)["dropoff"]:
                problems.append(f"run {run.id}: job {job_id} is dropped off before pickup")
            if run.status in (RunStatus.OFFERED, RunStatus.ACCEPTED) and \
                    jobs[job_id].run_id != run.id:
                problems.append(f"open run {run.id} has job {job_id}, which points to run "
                                f"{jobs[job_id].run_id}")
    for job in jobs.values():
        want = RUN_OF_JOB.get(job.status)
        if job.status == JobStatus.PENDING and job.run_id is not None:
            problems.append(f"pending job {job.id} still points to run {job.run_id}")
        if want is None:
            continue
        run = runs.get(job.run_id)
        if run is None:
            problems.append(f"job {job.id} is {job.status.value} without a run")
        elif run.status not in want:
            problems.append(f"job {job.id} is {job.status.value} on a {run.status.value} run")
        elif run.courier_id != job.courier_id:
            problems.append(f"job {job.id} has courier {job.courier_id}, its run {run.courier_id}")
        elif job.id not in {s.job_id for s in stops[run.id]}:
            problems.append(f"job {job.id} points to run {run.id}, which has no stop for it")
    problems += _log_matches(jobs, runs)
    return problems


def _log_matches(jobs: dict, runs: dict) -> list[str]:
    problems = []
    last_job, last_run, created = {}, {}, defaultdict(int)
    for ev in db.session.scalars(select(Event).order_by(Event.id)):
        if ev.subject == "job" and ev.action == "created":
            created[ev.job_id] += 1
        if ev.to_status is None:
            continue
        if ev.subject == "job":
            last_job[ev.job_id] = ev.to_status
        elif ev.subject == "run":
            last_run[ev.run_id] = ev.to_status
    for job in jobs.values():
        if created[job.id] != 1:
            problems.append(f"job {job.id} has {created[job.id]} 'created' events")
        if last_job.get(job.id) != job.status.value:
            problems.append(f"job {job.id} is {job.status.value}, its log says "
                            f"{last_job.get(job.id)}")
    for run in runs.values():
        if last_run.get(run.id) != run.status.value:
            problems.append(f"run {run.id} is {run.status.value}, its log says "
                            f"{last_run.get(run.id)}")
    orphans = set(created) - set(jobs)
    if orphans:
        problems.append(f"'created' events for jobs that do not exist: {sorted(orphans)}")
    return problems
