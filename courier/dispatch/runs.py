"""What happens to a run once offered: accept, decline, expire, and its stops
picked up, delivered or failed, until the run is done. Accepting asks the gate again
(:mod:`courier.dispatch.gate`): what the rules allowed at the offer may have changed
(a break begun, a limit reached, the courier gone off shift)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from courier.dispatch import eta, gate, returns, timing
from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.journal import announce_run, move_job, move_run
from courier.models import (
    OPEN_JOB_STATUSES,
    Job,
    JobStatus,
    Role,
    Run,
    RunStatus,
    StopKind,
    User,
    utcnow,
)
from courier.proofs import keep, policy
from courier.proofs.policy import NOTHING, Given

TERMINAL_JOB = (JobStatus.DELIVERED, JobStatus.FAILED, JobStatus.CANCELLED)


def _own_run(user: User, run: Run) -> None:
    if user.role != Role.COURIER or user.courier is None or run.courier_id != user.courier.id:
        raise Forbidden("this run is not yours")


def accept_run(user: User, run: Run, now: datetime | None = None, replay: bool = False) -> Run:
    """The courier takes the offered run: its jobs become theirs.

    ``replay``: the client says this action may have been sent before (it carries an
    Idempotency-Key): if it is already done, it is answered as done and changes
    nothing. Without it, a second accept is a conflict like any other.
    """
    _own_run(user, run)
    if replay and run.status in (RunStatus.ACCEPTED, RunStatus.DONE):
        return run  # the offline queue replayed, or a retry after a lost response
    now = now or utcnow()
    if run.status == RunStatus.OFFERED and run.expires_at <= now:
        expire_run(run)
        raise Conflict("this offer has expired", {"status": RunStatus.EXPIRED.value})
    if run.status == RunStatus.OFFERED:
        _admit(run, now)
    move_run(run, RunStatus.OFFERED, RunStatus.ACCEPTED, user, "accepted", accepted_at=now,
             conflict="this run is {status} and can no longer be accepted")
    for job in _jobs(run):
        move_job(job, JobStatus.OFFERED, JobStatus.ACCEPTED, user, "accepted", run=run)
    if not finish_run_if_complete(run, user):
        eta.refresh(run, now)
        announce_run(run, "run.updated")
    return run


def _admit(run: Run, now: datetime) -> None:
    """The gate, at acceptance: the run as the offer planned it, what is left of it from
    now."""
    courier = run.courier
    if not courier.on_shift:
        raise Conflict("go on shift to accept an offer", {"on_shift": False})
    verdict = gate.judge(courier, timing.planned(run, now), now)
    if verdict.blocked:
        raise verdict.refusal()


def decline_run(user: User, run: Run, reason: str = "", replay: bool = False) -> Run:
    """The courier turns the offer down: its jobs go back to be planned again."""
    _own_run(user, run)
    if replay and run.status == RunStatus.DECLINED:
        return run  # already declined
    move_run(run, RunStatus.OFFERED, RunStatus.DECLINED, user, "declined", reason=reason,
             ended_at=utcnow(), conflict="this run is {status} and can no longer be declined")
    _release_jobs(run, user, "declined", reason)
    announce_run(run, "run.cancelled")
    return run


def expire_run(run: Run) -> bool:
    """An unanswered offer lapses and counts as declined."""
    if not move_run(run, RunStatus.OFFERED, RunStatus.EXPIRED, None, "expired",
                    reason="not answered in time", ended_at=utcnow()):
        return False
    _release_jobs(run, None, "offer_expired", "the offer was not answered in time")
    announce_run(run, "run.cancelled")
    return True


def expire_offers(now: datetime | None = None) -> list[Run]:
    """Expire every offer whose time is up. Returns the runs that expired here."""
    now = now or utcnow()
    due = db.session.scalars(select(Run).where(
        Run.status == RunStatus.OFFERED, Run.expires_at <= now)).all()
    return [run for run in due if expire_run(run)]


def _release_jobs(run: Run, actor: User | None, action: str, reason: str) -> None:
    for job in _jobs(run):
        move_job(job, JobStatus.OFFERED, JobStatus.PENDING, actor, action, run=run,
                 reason=reason, run_id=None, courier_id=None)


def _jobs(run: Run) -> list[Job]:
    seen: dict[int, Job] = {}
    for stop in run.stops:
        seen.setdefault(stop.job_id, stop.job)
    return list(seen.values())


def _carrying(user: User, job: Job) -> Run:
    if user.role != Role.COURIER or user.courier is None or job.courier_id != user.courier.id:
        raise Forbidden("this job is not on your run")
    run = job.run
    if run is None or run.status != RunStatus.ACCEPTED:
        raise Conflict("this job is not on an accepted run of yours",
                       {"status": job.status.value})
    return run


def _replayed(replay: bool, user: User, job: Job, *done: JobStatus) -> bool:
    """Whether this is a replay (``replay``: the request carries an Idempotency-Key) of
    an action this courier already did, bringing ``job`` to one of ``done``: answered
    as a success, it changes nothing."""
    return (replay and user.role == Role.COURIER and user.courier is not None
            and job.courier_id == user.courier.id and job.status in done)


def _stop_done(run: Run, job: Job, kind: StopKind, now: datetime) -> None:
    for stop in run.stops:
        if stop.job_id == job.id and stop.kind == kind and stop.done_at is None:
            stop.done_at = now


def mark_picked_up(user: User, job: Job, replay: bool = False) -> Job:
    if job.picked_up_at is not None and _replayed(replay, user, job, JobStatus.PICKED_UP,
                                                  JobStatus.DELIVERED, JobStatus.FAILED):
        return job
    run = _carrying(user, job)
    now = utcnow()
    move_job(job, JobStatus.ACCEPTED, JobStatus.PICKED_UP, user, "picked_up", run=run,
             picked_up_at=now, conflict="a job that is {status} cannot be picked up")
    _stop_done(run, job, StopKind.PICKUP, now)
    eta.refresh(run, now)
    announce_run(run, "run.updated")
    return job


def mark_delivered(user: User, job: Job, replay: bool = False, given: Given = NOTHING) -> Job:
    """The courier handed the job over, with the proof its shop asks for (``given``):
    without it, or with a proof that does not hold, nothing is marked."""
    if _replayed(replay, user, job, JobStatus.DELIVERED):
        return job
    run = _carrying(user, job)
    proofs = _proven(job, policy.DELIVERED, given)
    now = utcnow()
    move_job(job, JobStatus.PICKED_UP, JobStatus.DELIVERED, user, "delivered", run=run,
             delivered_at=now,
             conflict="a job that is {status} cannot be delivered: pick it up first")
    keep.keep(job, user.courier, policy.DELIVERED, proofs)
    _stop_done(run, job, StopKind.DROPOFF, now)
    if not finish_run_if_complete(run, user):
        eta.refresh(run, now)
        announce_run(run, "run.updated")
    return job


def mark_failed(user: User, job: Job, reason: str, replay: bool = False,
                given: Given = NOTHING) -> Job:
    """The delivery could not be made: why, and the photo its shop may ask for. A parcel
    on the bike goes back: the run gains a return stop, re-timed and pushed to the phone
    (:mod:`courier.dispatch.returns`)."""
    if not reason or not reason.strip():
        raise InvalidInput("say why the delivery failed", {"reason": "required"})
    if _replayed(replay, user, job, JobStatus.FAILED):
        return job
    run = _carrying(user, job)
    proofs = _proven(job, policy.FAILED, given)
    now = utcnow()
    move_job(job, (JobStatus.ACCEPTED, JobStatus.PICKED_UP), JobStatus.FAILED, user, "failed",
             run=run, reason=reason, failure_reason=reason[:255],
             conflict="a job that is {status} cannot fail")
    keep.keep(job, user.courier, policy.FAILED, proofs)
    returns.bring_back(run, [job], user, now)
    if not finish_run_if_complete(run, user):
        announce_run(run, "run.updated")
    return job


def mark_returned(user: User, job: Job, replay: bool = False) -> Job:
    """The courier brought a failed parcel back (to the shop or the return hub): its
    return stop is made, and the run ends if nothing else is left."""
    if job.returned_at is not None and _replayed(replay, user, job, JobStatus.FAILED):
        return job
    run = _carrying(user, job)
    if not returns.returned(job, run, user, utcnow()):
        db.session.refresh(job)
        raise Conflict("this job has no parcel to bring back" if job.returned_at is None
                       else "this parcel is already back",
                       {"status": job.status.value, "returned": job.returned_at is not None})
    if not finish_run_if_complete(run, user):
        eta.refresh(run)
        announce_run(run, "run.updated")
    return job


def _proven(job: Job, outcome: str, given: Given) -> list:
    """The one check of every path that ends a stop (the phone, the API, the offline
    queue's replay): the proof the job's shop asks for, its files checked and stored."""
    prepared = keep.prepare(given)  # a file too large or not an image: 413, 415 first
    policy.check(job, outcome, given)
    return keep.put(job, outcome, prepared)  # stored before the job moves, or not marked


def finish_run_if_complete(run: Run, actor: User | None) -> bool:
    """Close the run once none of its jobs is still open and every parcel that failed is
    back. Returns whether it closed."""
    if any(job.status in OPEN_JOB_STATUSES for job in _jobs(run)) or returns.open_returns(run):
        return False
    target = RunStatus.DONE if run.status == RunStatus.ACCEPTED else RunStatus.CANCELLED
    if not move_run(run, (RunStatus.ACCEPTED, RunStatus.OFFERED), target, actor,
                    "completed" if target == RunStatus.DONE else "cancelled",
                    reason="" if target == RunStatus.DONE else "all its jobs were cancelled",
                    ended_at=utcnow()):
        return False
    announce_run(run, "run.updated" if target == RunStatus.DONE else "run.cancelled")
    return True


def drop_stops(run: Run | None, job_ids: set[int], actor: User | None, reason: str,
               now: datetime) -> None:
    """These jobs leave ``run`` (cancelled, handed back, released or given to someone
    else). When other open work is left (a parcel to bring back is), their stops are taken
    off and the run is re-timed from where its courier is and sent to their phone again;
    otherwise the run closes, its stops kept as the record of what it was. A run being
    ridden is also pushed to its courier's devices, unless the courier did it themselves."""
    if run is None:
        return
    own = actor is not None and run.courier is not None and actor.id == run.courier.user_id
    if not returns.open_returns(run) and not any(
            s.job_id not in job_ids and s.job.status in OPEN_JOB_STATUSES for s in run.stops):
        ridden = run.status == RunStatus.ACCEPTED and any(s.done_at for s in run.stops)
        target = RunStatus.DONE if ridden else RunStatus.CANCELLED
        if move_run(run, (RunStatus.OFFERED, RunStatus.ACCEPTED), target, actor,
                    "completed" if ridden else "cancelled", reason=reason, ended_at=now):
            announce_run(run, "run.updated" if ridden else "run.cancelled",
                         push_kind="changed" if ridden else None, pushed=not own)
        return
    for stop in [s for s in run.stops if s.job_id in job_ids and s.kind != StopKind.RETURN]:
        run.stops.remove(stop)
    db.session.flush()
    timing.retime(run, now)
    eta.refresh(run, now)
    announce_run(run, "run.updated", pushed=not own,
                 push_kind="changed" if run.status == RunStatus.ACCEPTED else None)
