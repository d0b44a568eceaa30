"""The demo coop's next two weeks planned as shift slots, so the shift calendar has
something to show on first start: the same slots each day (bikes 08-12, 12-16, 16-20,
the cargo bike 10-14, 14-18), published by the demo's dispatcher, and the demo couriers
signed up to most of them through the same operation (and rules) as a member. A few
slots are left short, which the calendar marks against the demand forecast."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from courier.dispatch.shifts import publish_slot, sign_up
from courier.errors import DomainError
from courier.extensions import db
from courier.fairwork import tracking
from courier.models import Courier, Role, User, utcnow
from courier.models.shifts import ShiftSlot

PATTERN = (("bike", 8, 12, 3), ("bike", 12, 16, 3), ("bike", 16, 20, 3),
           ("cargo_bike", 10, 14, 1), ("cargo_bike", 14, 18, 1))
DAYS = 14


def plan_ahead(now: datetime | None = None, days: int = DAYS) -> int:
    """Publish and fill the demo's slots from tomorrow for ``days`` days, once (nothing
    when the coop already has slots). Returns how many slots were published."""
    if db.session.scalar(select(func.count(ShiftSlot.id))):
        return 0
    now = now or utcnow()
    planner = db.session.scalars(select(User).where(User.role == Role.DISPATCHER)
                                 .order_by(User.id)).first()
    couriers = db.session.scalars(select(Courier).order_by(Courier.id)).all()
    if planner is None or not couriers:
        return 0
    tz, today = tracking.timezone(), now.astimezone(tracking.timezone()).date()
    published = 0
    for d in range(1, days + 1):
        day = today + timedelta(days=d)
        for vehicle, a, b, riders in PATTERN:
            start = datetime.combine(day, time(a), tz)
            slot = publish_slot(planner, start, datetime.combine(day, time(b), tz), vehicle,
                                riders, now=now)
            published += 1
            fit = [c for c in couriers if c.vehicle.value == vehicle]
            rng = random.Random(f"demo-slots|{day}|{vehicle}|{a}")
            wanted = riders - (1 if rng.random() < 0.3 else 0)  # a few hours left short
            for c in rng.sample(fit, min(wanted, len(fit))):
                try:
                    with db.session.begin_nested():
                        sign_up(c.user, slot, now=now)
                except DomainError:  # the rules say no (hours a day or week): not this one
                    pass
    db.session.commit()
    return published
