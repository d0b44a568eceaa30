"""What a run pays its courier: estimated when it is offered, earned when it ends.

The same computation as the earnings report (:func:`courier.fairwork.pay.pay_lines` on a
:class:`~courier.fairwork.pay.Work`, under the rules version in force at the time of the
work), over what the report will count for this run: each delivery (done at its time,
or still to do at its planned arrival) and the run's km (in proportion to its stops done,
or to be done). So when a run goes as planned, its estimate is exactly what the report
adds for it. Time on shift is paid by the hour apart from any run (as is the day's
top-up to the guaranteed rate), so it is not part of a run's pay. Volunteers are never
paid.

Run payloads carry it as ``estimated_pay_cents`` (:mod:`courier.schemas` asks the app
for :func:`run_pay_cents`, wired by :func:`init_app`).
"""

from __future__ import annotations

from courier import schemas
from courier.fairwork import tracking
from courier.fairwork.earned import counted, failed_at
from courier.fairwork.pay import Work, pay_lines, pays_failed_ride
from courier.fairwork.versions import Timeline
from courier.models import JobStatus, Run, RunStatus, StopKind

LIVE = (RunStatus.OFFERED, RunStatus.ACCEPTED)
TO_DO = (JobStatus.OFFERED, JobStatus.ACCEPTED, JobStatus.PICKED_UP)


def to_do(stop) -> bool:
    """A stop of a run still ridden that counts as to be made: its job's, or the return
    of a parcel that could not be delivered (its ride back is paid as km)."""
    if stop.kind == StopKind.RETURN:
        return stop.done_at is None
    return stop.job.status in TO_DO


def run_work(run: Run, timeline: Timeline | None = None) -> Work:
    """The deliveries, failed attempts and km of ``run`` as the earnings report will
    count them."""
    live = run.status in LIVE
    timeline = timeline or Timeline()
    work = Work()
    failed = failed_at([s.job_id for s in run.stops if s.kind == StopKind.DROPOFF
                        and s.job.status == JobStatus.FAILED])
    work.failed = sorted(failed.items())
    for stop in run.stops:
        job = stop.job
        if stop.kind != StopKind.DROPOFF:
            continue
        if job.status == JobStatus.DELIVERED and job.delivered_at is not None:
            work.deliveries.append((job.id, job.delivered_at))
        elif live and job.status in TO_DO:
            work.deliveries.append((job.id, stop.planned_arrival))
    if run.stops and (live or run.status == RunStatus.DONE):
        at = run.planned_end if live else (run.ended_at or run.planned_end)
        ride = pays_failed_ride(timeline.at(at))
        n = sum(1 for s in run.stops if counted(s, ride) or (live and to_do(s)))
        work.rides.append((run.id, at, run.distance_m * n // len(run.stops)))
    return work


def run_pay_cents(run: Run) -> int | None:
    """What ``run`` pays (cents): estimated while offered or ridden, earned once ended.
    None for a volunteer (never paid)."""
    if run.courier is None or run.courier.volunteer:
        return None
    timeline = Timeline()
    lines = pay_lines(run_work(run, timeline), timeline, tracking.timezone())
    return sum(line.cents for line in lines)


def init_app(app) -> None:
    """Run payloads of this app carry their pay (see the module)."""
    app.extensions[schemas.RUN_PAY] = run_pay_cents
