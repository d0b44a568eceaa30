"""The shift calendar's week as people read it: each slot with who rides it, who waits
for a place (in the order of :func:`courier.dispatch.shifts.ranked`), swaps offered, and
for dispatch, the council and the member themself, how each shift was started (late,
not yet, a no-show). Also the riders booked hour by hour, to set against demand."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courier.dispatch.shifts import LATE, PLANNERS, fairness, ranked
from courier.extensions import db
from courier.models import Courier, Role, User
from courier.models.shifts import ShiftSignup, ShiftSlot

HOUR = timedelta(hours=1)


def slots_between(start: datetime, end: datetime) -> list[ShiftSlot]:
    return list(db.session.scalars(select(ShiftSlot).options(
        selectinload(ShiftSlot.signups).selectinload(ShiftSignup.courier)
        .selectinload(Courier.user)).where(
        ShiftSlot.cancelled_at.is_(None), ShiftSlot.starts_at < end,
        ShiftSlot.ends_at > start).order_by(ShiftSlot.starts_at, ShiftSlot.id)))


def attendance(signup: ShiftSignup, now: datetime) -> tuple[str | None, int]:
    """``(what, late_s)``: ``started``, ``late``, ``not_started`` (the slot began, no one
    came yet), ``no_show`` (it ended), or None (not begun); and how late in seconds."""
    slot = signup.slot
    if signup.started_at is not None:
        late = int((signup.started_at - slot.starts_at).total_seconds())
        return ("late", late) if late > LATE.total_seconds() else ("started", 0)
    if now < slot.starts_at + LATE:
        return None, 0
    late = int((min(now, slot.ends_at) - slot.starts_at).total_seconds())
    return ("no_show" if now >= slot.ends_at else "not_started"), late


def _signup(s: ShiftSignup, place: str, viewer: User, now: datetime) -> dict:
    mine = viewer.courier is not None and s.courier_id == viewer.courier.id
    out = {"id": s.id, "courier_id": s.courier_id, "name": s.courier.user.first_name,
           "place": place, "mine": mine,
           "offered_to_me": viewer.courier is not None and s.offered_to_id == viewer.courier.id,
           "offered_to_id": s.offered_to_id if mine else None}
    if mine or viewer.role in PLANNERS:
        out["attendance"], out["late_s"] = attendance(s, now) if place == "riding" else (None, 0)
    return out


def slot_view(slot: ShiftSlot, viewer: User, now: datetime) -> dict:
    order = ranked(slot)
    return {"id": slot.id, "starts_at": slot.starts_at.isoformat(),
            "ends_at": slot.ends_at.isoformat(), "vehicle": slot.vehicle.value,
            "riders": slot.riders, "note": slot.note, "fairness": fairness(slot.starts_at),
            "booked": min(len(order), slot.riders),
            "waiting": max(0, len(order) - slot.riders),
            "signups": [_signup(s, "riding" if i < slot.riders else "waiting", viewer, now)
                        for i, s in enumerate(order)]}


def booked_by_hour(slots: list[ShiftSlot], start: datetime, hours: int) -> list[int]:
    """Riders booked in each hour from ``start``: a slot counts its riding members (at
    most the riders wanted) for every hour it covers at least half of."""
    out = [0] * hours
    for slot in slots:
        riding = min(len(ranked(slot)), slot.riders)
        for h in range(hours):
            a, b = start + h * HOUR, start + (h + 1) * HOUR
            covered = (min(b, slot.ends_at) - max(a, slot.starts_at)).total_seconds()
            if covered >= 1800:
                out[h] += riding
    return out


def week(viewer: User, start: datetime, now: datetime) -> dict:
    """The slots of the seven days from ``start`` as ``viewer`` reads them; the members
    who may take a swap (couriers, by first name and vehicle); riders booked by hour."""
    end = start + timedelta(days=7)
    slots = slots_between(start, end)
    members = []
    if viewer.role in (Role.COURIER, *PLANNERS):
        members = [{"id": c.id, "name": c.user.first_name, "vehicle": c.vehicle.value}
                   for c in db.session.scalars(select(Courier).options(
                       selectinload(Courier.user)).order_by(Courier.id))
                   if c.user.is_active]
    return {"start": start.isoformat(), "slots": [slot_view(s, viewer, now) for s in slots],
            "members": members, "booked": booked_by_hour(slots, start, 7 * 24)}
