"""What-if: a past period replayed under proposed rules, beside what happened."""

from datetime import UTC, date, datetime, timedelta

import pytest

from courier.errors import InvalidInput
from courier.extensions import db
from courier.fairwork.models import RulesVersion
from courier.reports.whatif import what_if
from tests.fairwork.helpers import courier, delivered, job, publish, shift

DAY = datetime(2026, 3, 4, 8, tzinfo=UTC)  # 09:00 in Lyon
LATER = datetime(2026, 3, 10, tzinfo=UTC)


@pytest.fixture
def period(make_user, make_merchant):
    """Two couriers on shift 09:00-11:00 local; four jobs, one of 12 kg; one delivered."""
    shop = make_merchant()
    ana = courier(make_user, "Ana", since=None)
    bea = courier(make_user, "Bea", since=None)
    for c in (ana, bea):
        shift(c.courier, DAY, DAY + timedelta(hours=2))
    jobs = [job(shop, now=DAY + timedelta(minutes=10 * i), dlat=0.004 * i, minutes=60)
            for i in range(3)]
    heavy = job(shop, now=DAY + timedelta(minutes=5), weight=12)
    delivered(ana.courier, shop, accepted=DAY, delivered_at=[DAY + timedelta(minutes=20)])
    return ana, bea, jobs, heavy


def test_replay_compares_a_proposed_cap_with_what_happened(period):
    caps = {"load": {"vehicle_caps": {"bike": {"kg": 10.0}}}}
    out = what_if(date(2026, 3, 4), date(2026, 3, 4), caps, step=300, time_limit=0.2,
                  now=LATER)
    assert out["changes"] == [{"path": "load.vehicle_caps.bike.kg", "from": 15.0, "to": 10.0}]
    assert out["actual"]["jobs"] == 5  # the four submitted and the one already delivered
    now_, proposed = out["replayed_current"], out["proposed"]
    assert now_["served"] == 5 and now_["unassigned"] == 0
    assert proposed["served"] == 4 and proposed["unassigned"] == 1  # 12 kg is over the cap
    assert proposed["late"] == 0 and proposed["km"] > 0
    hours = {m["name"]: m["on_shift_s"] for m in proposed["members"]}
    assert hours == {"Ana": 7200, "Bea": 7200}  # the period's real shifts
    assert proposed["total_cents"] == sum(m["total_cents"] for m in proposed["members"])
    assert db.session.query(RulesVersion).count() == 1  # nothing was published


def test_replay_refuses_a_period_not_over_or_too_long(app):
    with pytest.raises(InvalidInput):
        what_if(date(2026, 3, 1), date(2026, 3, 20), {}, now=LATER)
    with pytest.raises(InvalidInput):
        what_if(date(2026, 3, 9), date(2026, 3, 11), {}, now=LATER)


def test_what_if_endpoint_is_for_the_council(make_courier, make_user):
    body = {"from": "2026-03-04", "to": "2026-03-04", "rules": {"pay": {"per_km_cents": 50}}}
    assert make_courier().post("/rules/what-if", json=body).status_code == 403
    r = make_user("council").post("/rules/what-if", json=body)
    assert r.status_code == 200, r.json
    assert r.json["proposed"]["jobs"] == 0
    assert r.json["changes"][0]["path"] == "pay.per_km_cents"


def test_hourly_figures_are_over_the_hours_beside_them_and_never_under_the_councils_minimum(
        period, make_user):
    """Ana and Bea were on shift 2 h each: the template shows an hourly figure from 2 h on;
    once the council asks for 3 h, no side of the replay has one."""
    out = what_if(date(2026, 3, 4), date(2026, 3, 4), {}, step=300, time_limit=0.2, now=LATER)
    for side in ("actual", "replayed_current", "proposed"):
        assert out[side]["on_shift_s"] == 2 * 7200
        assert out[side]["fairness"]["hourly_min_cents"] is not None, side
    publish(make_user("council", "Chloé Council"),
            {"fairness": {"hourly_shown_from_s": 3 * 3600}}, now=LATER - timedelta(days=1))
    out = what_if(date(2026, 3, 4), date(2026, 3, 4), {}, step=300, time_limit=0.2, now=LATER)
    for side in ("actual", "replayed_current", "proposed"):
        fair = out[side]["fairness"]
        assert out[side]["on_shift_s"] == 2 * 7200 and fair["members"] == 2
        assert (fair["hourly_min_cents"], fair["hourly_median_cents"],
                fair["hourly_max_cents"]) == (None, None, None), side


def test_the_what_if_answer_carries_the_hours_beside_its_hourly_figures(period, make_user):
    body = {"from": "2026-03-04", "to": "2026-03-04", "rules": {}, "time_limit_s": 0.2}
    r = make_user("council").post("/rules/what-if", json=body)
    assert r.status_code == 200, r.json
    assert [r.json[s]["on_shift_s"] for s in ("actual", "replayed_current", "proposed")] == [
        2 * 7200] * 3
