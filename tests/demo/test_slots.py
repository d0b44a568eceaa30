"""The demo's next two weeks of shift slots: published once, filled by the demo couriers
through the members' own sign-up (so within the council's rules), a few left short."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from courier.demo import seed
from courier.demo.slots import DAYS, PATTERN, plan_ahead
from courier.extensions import db
from courier.models.shifts import ShiftSignup, ShiftSlot

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


def test_the_demo_plans_two_weeks_of_slots_once_and_fills_most_of_them(app, dispatcher):
    seed.seed()
    assert plan_ahead(now=NOW) == DAYS * len(PATTERN)
    assert plan_ahead(now=NOW) == 0  # a second start keeps what is there
    slots = db.session.scalars(select(ShiftSlot)).all()
    assert min(s.starts_at for s in slots).replace(tzinfo=UTC) > NOW
    signed = db.session.scalar(select(func.count(ShiftSignup.id)))
    wanted = sum(s.riders for s in slots)
    assert 0.5 * wanted < signed < wanted  # most filled, a few hours short
    week = dispatcher.get("/shifts?week=2026-03-23").json
    assert len(week["slots"]) == 7 * len(PATTERN)
    assert any(su["place"] == "riding" for s in week["slots"] for su in s["signups"])
