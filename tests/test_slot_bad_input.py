"""Bad slots refused with 422 naming the field, beside tests/test_shifts.py (which has a slot
ending before it starts, a negative rider count, a start in the past, an overlap, and the
forecast asked for with no history while the calendar still works)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courier.extensions import db
from courier.models.shifts import ShiftSlot
from tests.test_shifts import at, slot_body


@pytest.mark.parametrize("body, field", [
    (slot_body(at(3, 10), 0), "ends_at"),  # ends as it starts
    (slot_body(at(3, 6), 17), "ends_at"),  # longer than 16 h
    (slot_body(at(3, 10), 2, riders=0), "riders"),
    (slot_body(at(3, 10), 2, vehicle="tandem"), "vehicle"),
    ({**slot_body(at(3, 10), 2), "ends_at": "tomorrow evening"}, "ends_at"),
])
def test_a_slot_of_no_length_too_long_for_nobody_or_no_vehicle_is_refused(dispatcher, body,
                                                                          field):
    r = dispatcher.post("/shifts/slots", json=body)
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert db.session.scalar(select(func.count()).select_from(ShiftSlot)) == 0  # nothing written
