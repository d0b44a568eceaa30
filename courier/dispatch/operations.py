"""What shops and couriers do to work under way: cancel jobs, go on or off shift, give
back accepted work, report position.

Each function takes the acting user, changes the session (flushing, never
committing) and raises a DomainError when the action is not allowed. The caller
commits once; live messages go out after that commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from courier import outbox
from courier.dispatch import eta
from courier.dispatch.gate import check_release, check_shift_end, check_shift_start
from courier.dispatch.returns import bring_back
from courier.dispatch.runs import decline_run, drop_stops
from courier.dispatch.shifts import start_signed
from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.journal import DISPATCH_ROOM, announce_run, move_job, record
from courier.models import Courier, Event, Job, JobStatus, Role, Run, RunStatus, User, utcnow
from courier.texts import N_, Phrase

CANCELLABLE = (JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED)
EMERGENCY = N_("the courier stopped in an emergency: {reason}")
RELEASED = N_("given back by {name}: {reason}")


def may_cancel(user: User, job: Job) -> None:
    """Only the job's shop (or partner) and dispatch cancel a job (403 otherwise)."""
    if user.role in (Role.MERCHANT, Role.PARTNER):
        if user.merchant is None or job.merchant_id != user.merchant.id:
            raise Forbidden("this job belongs to another shop")
    elif user.role != Role.DISPATCHER:
        raise Forbidden("only the shop or a dispatcher can cancel a job")


def cancel_job(user: User, job: Job, reason: str = "") -> Job:
    """The shop or partner (or a dispatcher) cancels a job that has not been picked up yet.
    (A job a partner coop carries is cancelled through the federation, which asks the
    partner first: ``courier.federation.cancel``.)"""
    may_cancel(user, job)
    run = job.run
    move_job(job, CANCELLABLE, JobStatus.CANCELLED, user, "cancelled", reason=reason,
             conflict="a job that is {status} can no longer be cancelled")
    drop_stops(run, {job.id}, user, reason or "cancelled", utcnow())  # re-timed, pushed
    return job


def set_shift(user: User, online: bool, lat: float | None = None,
              lon: float | None = None, now: datetime | None = None, *,
              emergency: bool = False, reason: str = "") -> Courier:
    """Go on or off shift. Going on is refused while a blocking working-time rule says to
    rest (a warning rule's breach is recorded instead), and starts the member's shift
    planned for now, if any (:func:`courier.dispatch.shifts.start_signed`). Going off
    declines any offer still open, and is refused while the courier has work accepted; in
    an ``emergency`` (with a ``reason``) that work goes back to dispatch instead
    (:func:`hand_back`)."""
    courier = courier_of(user)
    now = now or utcnow()
    if lat is not None and lon is not None:
        courier.lat, courier.lon, courier.position_at = lat, lon, now
    if online == courier.on_shift:
        return courier
    if online and courier.lat is None:
        raise InvalidInput("your position is needed to go on shift",
                           {"lat": "required to go on shift", "lon": "required to go on shift"})
    if not online:
        riding = check_shift_end(courier, emergency)
        if riding:
            if not reason or not reason.strip():
                raise InvalidInput("say what happened", {"reason": "required in an emergency"})
            hand_back(user, courier, riding, reason.strip(), now)
        open_offers = db.session.scalars(select(Run).where(
            Run.courier_id == courier.id, Run.status == RunStatus.OFFERED)).all()
        for run in open_offers:
            decline_run(user, run, "went off shift")
    if online:
        check_shift_start(user, courier, now)
    courier.on_shift = online
    courier.shift_started_at = now if online else None
    record(user, "courier", "shift_started" if online else "shift_ended", courier=courier, at=now)
    if online:
        start_signed(user, courier, now)  # the shift planned for now, if any, has begun
    db.session.flush()
    _announce_courier(courier)
    return courier


def hand_back(user: User, courier: Courier, runs: list[Run], reason: str,
              now: datetime) -> None:
    """An emergency: the courier stops with work accepted. Jobs not yet picked up go back
    to dispatch; a parcel already on the bike fails and is still to be brought back (a
    return stop, :mod:`courier.dispatch.returns`): its run stays with the courier, on
    shift or off, with only its returns, until they are made. Any other run closes."""
    why = Phrase(EMERGENCY, reason=reason)
    for run in runs:
        jobs = list({s.job_id: s.job for s in run.stops}.values())
        back = [j for j in jobs if j.status == JobStatus.ACCEPTED]
        for job in back:
            move_job(job, JobStatus.ACCEPTED, JobStatus.PENDING, user, "handed_back", run=run,
                     reason=why, run_id=None, courier_id=None)
        on_bike = [j for j in jobs if j.status == JobStatus.PICKED_UP]
        for job in on_bike:
            move_job(job, JobStatus.PICKED_UP, JobStatus.FAILED, user, "failed", run=run,
                     reason=why, failure_reason=str(why)[:255])
        if on_bike:  # their returns keep the run: the others' stops go, it is re-timed
            bring_back(run, on_bike + back, user, now, visited=False)
            announce_run(run, "run.updated")
        else:
            drop_stops(run, {j.id for j in back}, user, why, now)  # nothing open is left
    record(user, "courier", "handed_back", courier=courier, reason=why, at=now,
           data={"runs": [r.id for r in runs]})


def release_job(user: User, job: Job, reason: str, now: datetime | None = None,
                replay: bool = False) -> Job:
    """The courier gives back ``job`` (accepted, not picked up yet), saying why. It goes
    back to dispatch for the next cycle (not to this courier again within the re-offer
    cool-down), with the other parts of its delivery on the run; the run is re-timed and
    sent to the phone, or closes when nothing is left (:func:`drop_stops`). ``replay``
    (an Idempotency-Key): a release this courier already made is answered as done."""
    courier = courier_of(user)
    if not reason or not reason.strip():
        raise InvalidInput("say why you give this job back", {"reason": "required"})
    if job.courier_id != courier.id and _released_by(courier, job):
        if replay:
            return job
        raise Conflict("you gave this job back", {"status": job.status.value})
    if job.courier_id != courier.id:
        raise Forbidden("this job is not on your run")
    run, now = job.run, now or utcnow()
    jobs = check_release(courier, job)
    why = Phrase(RELEASED, name=courier.user.first_name, reason=reason.strip()[:400])
    for j in jobs:
        move_job(j, JobStatus.ACCEPTED, JobStatus.PENDING, user, "released", run=run,
                 reason=why, run_id=None, courier_id=None,
                 conflict="a job that is {status} cannot be released")
    drop_stops(run, {j.id for j in jobs}, user, why, now)  # re-timed and pushed, or closed
    return job


def _released_by(courier: Courier, job: Job) -> bool:
    return db.session.scalar(select(Event.id).where(
        Event.job_id == job.id, Event.action == "released",
        Event.courier_id == courier.id).limit(1)) is not None


def update_position(user: User, lat: float, lon: float) -> Courier:
    """Record where an on-shift courier is; nothing is kept off shift."""
    courier = courier_of(user)
    if not courier.on_shift:
        raise Conflict("positions are only taken while on shift", {"on_shift": False})
    courier.lat, courier.lon, courier.position_at = lat, lon, utcnow()
    db.session.flush()
    _announce_courier(courier)
    eta.after_position(courier, courier.position_at)  # throttled per run
    return courier


def courier_of(user: User) -> Courier:
    if user.role != Role.COURIER or user.courier is None:
        raise Forbidden("only couriers can do this")
    return user.courier


def _announce_courier(courier: Courier) -> None:
    outbox.publish(db.session, "courier.position", {
        "courier_id": courier.id, "name": courier.user.name, "on_shift": courier.on_shift,
        "vehicle": courier.vehicle.value, "lat": courier.lat, "lon": courier.lon,
        "at": courier.position_at.isoformat() if courier.position_at else None,
    }, DISPATCH_ROOM)


__all__ = ["cancel_job", "courier_of", "may_cancel", "release_job", "set_shift",
           "update_position"]
