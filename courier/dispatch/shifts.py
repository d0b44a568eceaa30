"""Shifts planned ahead: the council (or dispatch) publishes slots per day and vehicle
kind with the riders wanted; members sign up, hand a sign-up over to another member who
accepts it (a swap), or release it. Signing up and accepting a swap ask the gate
(:func:`courier.dispatch.gate.check_slot`): the council's working-time rules hold for
the week planned as for the work done.

Who rides a slot that has more sign-ups than riders wanted is worked out each time from
its active sign-ups (:func:`ranked`): under the council's fairness setting
(``fairness.balance`` of the rules in force at the slot's start) the members with fewer
hours on shift this week (``hours``) or less pay this week (``pay``) when they signed up
come first; with ``off``, the first to sign up. Sign-ups made within :data:`SETTLED` of
the start come after every earlier one, first come first served, so that the list a
member saw the day before does not change under them. A swap keeps its place.

Going on shift from the phone starts the member's sign-up (:func:`start_signed`); a late
start and a no-show are shown to the council on the calendar, without any penalty.

Each function takes the acting user, flushes, and raises a DomainError.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from courier.dispatch.gate import check_slot
from courier.errors import Conflict, Forbidden, InvalidInput, NotFound
from courier.extensions import db
from courier.fairwork import tracking, versions
from courier.fairwork.earned import balanced_by, so_far
from courier.fairwork.limits import week_start
from courier.journal import record
from courier.models import Courier, Role, User, Vehicle, utcnow
from courier.models.shifts import ShiftSignup, ShiftSlot
from courier.texts import N_, Phrase

SETTLED = timedelta(hours=24)  # the list of a slot is settled this long before it starts
EARLY = timedelta(minutes=30)  # going on shift this early starts the slot
LATE = timedelta(minutes=10)  # a start later than this after the slot's is late
LONGEST = timedelta(hours=16)
JOINED = timedelta(minutes=15)  # a booked slot starting this soon after one continues it
PLANNERS = (Role.DISPATCHER, Role.COUNCIL)
SHIFT_ENDS = N_("shift planned to end at {time}")


def _planner(user: User) -> None:
    if user.role not in PLANNERS:
        raise Forbidden("only dispatch and the council publish shifts")


def _member(user: User) -> Courier:
    if user.role != Role.COURIER or user.courier is None:
        raise Forbidden("only couriers sign up for shifts")
    return user.courier


def publish_slot(user: User, starts_at: datetime, ends_at: datetime, vehicle: str,
                 riders: int, note: str = "", now: datetime | None = None) -> ShiftSlot:
    """A new slot. Refused (422 naming the field) when it ends before it starts, lasts
    longer than 16 h, starts in the past, wants no rider, or overlaps another slot of the
    same vehicle kind (publish more riders on that one instead)."""
    _planner(user)
    now = now or utcnow()
    if riders < 1:
        raise InvalidInput("a slot wants at least one rider", {"riders": "must be at least 1"})
    if ends_at <= starts_at:
        raise InvalidInput("a slot ends after it starts", {"ends_at": "must be after starts_at"})
    if ends_at - starts_at > LONGEST:
        raise InvalidInput("a slot lasts at most 16 h", {"ends_at": "at most 16 h after starts_at"})
    if starts_at < now:
        raise InvalidInput("a slot starts in the future", {"starts_at": "must be in the future"})
    clash = db.session.scalars(select(ShiftSlot).where(
        ShiftSlot.vehicle == Vehicle(vehicle), ShiftSlot.cancelled_at.is_(None),
        ShiftSlot.starts_at < ends_at, ShiftSlot.ends_at > starts_at).limit(1)).first()
    if clash is not None:
        raise InvalidInput(f"overlaps slot {clash.id}",
                           {"starts_at": f"overlaps slot {clash.id} of the same vehicle kind",
                            "slot_id": clash.id})
    slot = ShiftSlot(starts_at=starts_at, ends_at=ends_at, vehicle=Vehicle(vehicle),
                     riders=riders, note=note.strip(), created_by_id=user.id)
    db.session.add(slot)
    db.session.flush()
    record(user, "shift", "slot_published", at=now,
           data={"slot_id": slot.id, "riders": riders, "vehicle": vehicle})
    return slot


def cancel_slot(user: User, slot: ShiftSlot, now: datetime | None = None) -> ShiftSlot:
    """The slot is taken off the calendar; its sign-ups stay on the record."""
    _planner(user)
    if slot.cancelled_at is None:
        slot.cancelled_at = now or utcnow()
        record(user, "shift", "slot_cancelled", at=slot.cancelled_at, data={"slot_id": slot.id})
        db.session.flush()
    return slot


def active(slot: ShiftSlot) -> list[ShiftSignup]:
    return [s for s in slot.signups if s.released_at is None]


def fairness(at: datetime) -> str:
    """The council's fairness setting in force at ``at``: ``off``, ``hours`` or ``pay``."""
    return versions.in_force(at).rules["fairness"]["balance"]


def ranked(slot: ShiftSlot) -> list[ShiftSignup]:
    """The slot's active sign-ups in the order they get its places (see the module)."""
    fair = fairness(slot.starts_at) != "off"
    return sorted(active(slot), key=lambda s: (s.late_signup, s.rank_s if fair else 0,
                                                s.signed_at, s.id))


def _planned(courier: Courier, now: datetime, but: ShiftSlot) -> list[tuple]:
    """The courier's other sign-ups still to come (or under way), as intervals."""
    rows = db.session.execute(select(ShiftSlot.starts_at, ShiftSlot.ends_at, ShiftSlot.id)
                              .join(ShiftSignup).where(
        ShiftSignup.courier_id == courier.id, ShiftSignup.released_at.is_(None),
        ShiftSlot.cancelled_at.is_(None), ShiftSlot.ends_at > now)).all()
    for s, e, sid in rows:
        if sid != but.id and s < but.ends_at and e > but.starts_at:
            raise Conflict(f"this slot overlaps your slot {sid}",
                           {"slot_id": f"overlaps your slot {sid}"})
    return [(s, e) for s, e, sid in rows if sid != but.id]


def _admit(courier: Courier, slot: ShiftSlot, now: datetime) -> list[dict]:
    """What stands between ``courier`` and ``slot``: gone, another vehicle, already on it,
    another of their slots at that time, and the council's rules (the gate)."""
    if slot.cancelled_at is not None or slot.ends_at <= now:
        raise Conflict("this slot is over or cancelled", {"slot_id": "over or cancelled"})
    if courier.vehicle != slot.vehicle:
        raise Conflict(f"this slot is for a {slot.vehicle.value}",
                       {"vehicle": f"the slot is for {slot.vehicle.value}"})
    if any(s.courier_id == courier.id for s in active(slot)):
        raise Conflict("you are already on this slot", {"slot_id": "already signed up"})
    return check_slot(courier, (slot.starts_at, slot.ends_at), _planned(courier, now, slot),
                      now)


def sign_up(user: User, slot: ShiftSlot, now: datetime | None = None
            ) -> tuple[ShiftSignup, list[dict]]:
    """The member signs up for ``slot``; returns the sign-up and the warning rules it
    breaks (shown to them). A blocking rule refuses it (409 naming the rule)."""
    courier, now = _member(user), now or utcnow()
    warnings = _admit(courier, slot, now)
    mode = fairness(slot.starts_at)
    rank = 0
    if mode != "off":
        figures = so_far([courier.id], week_start(now, tracking.timezone()), now)[courier.id]
        rank = balanced_by(figures, mode)
    signup = ShiftSignup(slot=slot, courier_id=courier.id, signed_at=now, rank_s=rank,
                         late_signup=slot.starts_at - now < SETTLED)
    db.session.add(signup)
    db.session.flush()
    record(user, "courier", "shift_signed_up", courier=courier, at=now,
           data={"slot_id": slot.id, "warnings": [w["rule"] for w in warnings]})
    return signup, warnings


def _own(user: User, signup: ShiftSignup) -> Courier:
    courier = _member(user)
    if signup.courier_id != courier.id or signup.released_at is not None:
        raise NotFound("no such sign-up of yours", {"signup_id": "not yours"})
    if signup.started_at is not None:
        raise Conflict("this shift has started", {"signup_id": "started"})
    return courier


def release(user: User, signup: ShiftSignup, now: datetime | None = None) -> ShiftSignup:
    """The member gives their place up; the next one waiting gets it."""
    courier, now = _own(user, signup), now or utcnow()
    signup.released_at, signup.offered_to_id = now, None
    record(user, "courier", "shift_released", courier=courier, at=now,
           data={"slot_id": signup.slot_id})
    db.session.flush()
    return signup


def offer_swap(user: User, signup: ShiftSignup, to: Courier | None,
               now: datetime | None = None) -> ShiftSignup:
    """The member offers their sign-up to another member (``None`` withdraws the offer)."""
    courier, now = _own(user, signup), now or utcnow()
    if to is not None and (to.id == courier.id or to.vehicle != signup.slot.vehicle):
        raise InvalidInput("offer it to another member with this vehicle",
                           {"courier_id": "another member riding the slot's vehicle"})
    signup.offered_to_id = to.id if to is not None else None
    record(user, "courier", "shift_swap_offered", courier=courier, at=now,
           data={"slot_id": signup.slot_id, "to": signup.offered_to_id})
    db.session.flush()
    return signup


def accept_swap(user: User, signup: ShiftSignup, now: datetime | None = None
                ) -> tuple[ShiftSignup, list[dict]]:
    """The member a sign-up was offered to takes it, with its place in the list, if the
    council's rules let them (the gate, as for signing up)."""
    courier, now = _member(user), now or utcnow()
    if signup.offered_to_id != courier.id or signup.released_at is not None:
        raise Conflict("this sign-up is not offered to you", {"signup_id": "not offered to you"})
    warnings = _admit(courier, signup.slot, now)
    signup.released_at, signup.offered_to_id = now, None
    taken = ShiftSignup(slot=signup.slot, courier_id=courier.id, signed_at=signup.signed_at,
                        rank_s=signup.rank_s, late_signup=signup.late_signup)
    db.session.add(taken)
    db.session.flush()
    record(user, "courier", "shift_swapped", courier=courier, at=now,
           data={"slot_id": signup.slot_id, "from": signup.courier_id})
    return taken, warnings


def start_signed(user: User, courier: Courier, now: datetime) -> ShiftSignup | None:
    """Going on shift starts the member's sign-up of the moment (from :data:`EARLY` before
    its slot until its end), recording how late it started, if at all; no penalty."""
    signup = db.session.scalars(select(ShiftSignup).join(ShiftSlot).where(
        ShiftSignup.courier_id == courier.id, ShiftSignup.released_at.is_(None),
        ShiftSignup.started_at.is_(None), ShiftSlot.cancelled_at.is_(None),
        ShiftSlot.starts_at <= now + EARLY, ShiftSlot.ends_at > now)
        .order_by(ShiftSlot.starts_at).limit(1)).first()
    if signup is None:
        return None
    signup.started_at = now
    late = max(0, int((now - signup.slot.starts_at).total_seconds()))
    record(user, "courier", "shift_slot_started", courier=courier, at=now,
           data={"slot_id": signup.slot_id, "late_s": late if late > LATE.total_seconds() else 0})
    db.session.flush()
    return signup


def slot_or_404(slot_id: int) -> ShiftSlot:
    slot = db.session.get(ShiftSlot, slot_id)
    if slot is None:
        raise NotFound("no such slot", {"slot_id": "unknown"})
    return slot


def signup_or_404(signup_id: int) -> ShiftSignup:
    signup = db.session.get(ShiftSignup, signup_id)
    if signup is None:
        raise NotFound("no such sign-up", {"signup_id": "unknown"})
    return signup


def planned_ends(couriers: list[Courier]) -> dict[int, datetime]:
    """When the shift each of ``couriers`` is riding was planned to end: the end of the
    slot their going on shift started (:func:`start_signed`), carried on through the
    slots they signed up for that follow it (within :data:`JOINED`), for those who
    started one. Dispatch offers such a courier only work that ends by then
    (:mod:`courier.dispatch.planning`); going off and on shift again with no slot
    planned lifts it."""
    started = {c.id: c.shift_started_at for c in couriers if c.shift_started_at is not None}
    if not started:
        return {}
    rows = db.session.execute(select(ShiftSignup.courier_id, ShiftSignup.started_at,
                                     ShiftSlot.starts_at, ShiftSlot.ends_at).join(ShiftSlot).where(
        ShiftSignup.courier_id.in_(started), ShiftSignup.released_at.is_(None),
        ShiftSlot.cancelled_at.is_(None), ShiftSlot.ends_at > min(started.values())))
    mine: dict[int, list[tuple]] = {}
    for cid, at, begins, ends in sorted(rows, key=lambda r: r.starts_at):
        mine.setdefault(cid, []).append((at, begins, ends))
    planned: dict[int, datetime] = {}
    for cid, slots in mine.items():
        end = None
        for at, begins, ends in slots:
            if end is None and at is not None and at >= started[cid]:
                end = ends  # the slot this shift started
            elif end is not None and begins <= end + JOINED:
                end = max(end, ends)  # the next one, booked too
        if end is not None:
            planned[cid] = end
    return planned


def shift_ends_phrase(end: datetime) -> Phrase:
    return Phrase(SHIFT_ENDS, time=tracking.local(end))
