"""Pay and reports reconcile: members' pay sums to the coop total, and a member's
pay is the sum over their work under the rules version in force at the time."""

from datetime import UTC, date, datetime, timedelta

import pytest

from courier.reports import earnings as reports
from courier.reports.earnings import gini
from tests.fairwork.helpers import courier, delivered, publish, shift

MON = datetime(2026, 3, 2, tzinfo=UTC)  # Europe/Paris is UTC+1 in early March
TUE, WED = MON + timedelta(days=1), MON + timedelta(days=2)
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


def at(day, hour, minute=0):
    return day + timedelta(hours=hour, minutes=minute)


@pytest.fixture
def three_days(make_user, make_merchant, council):
    """Ana works Monday and Tuesday, Bea Wednesday; the pay changes on Tuesday at noon."""
    publish(council, {"pay": {"guaranteed_hourly_cents": 1000}}, now=MON - timedelta(days=1),
            effective_from=MON - timedelta(hours=1))  # v2 from Monday 00:00 local
    publish(council, {"pay": {"per_delivery_cents": 300, "per_hour_cents": 1000,
                              "guaranteed_hourly_cents": 1100}},
            now=MON - timedelta(days=1), effective_from=at(TUE, 11))  # v3: Tuesday 12:00 local
    shop = make_merchant()
    ana = courier(make_user, "Ana", since=None)
    bea = courier(make_user, "Bea", since=None)
    shift(ana.courier, at(MON, 8), at(MON, 12))
    delivered(ana.courier, shop, accepted=at(MON, 9), delivered_at=[at(MON, 9, 30), at(MON, 10)],
              metres=3000)
    shift(ana.courier, at(TUE, 10), at(TUE, 14))
    delivered(ana.courier, shop, accepted=at(TUE, 10), delivered_at=[at(TUE, 10, 30)],
              metres=2000)
    delivered(ana.courier, shop, accepted=at(TUE, 11, 30), delivered_at=[at(TUE, 12)],
              metres=2000)
    shift(bea.courier, at(WED, 8), at(WED, 10))
    return ana.courier, bea.courier


def test_pay_follows_the_version_in_force_at_the_time_of_the_work(three_days):
    ana, bea = three_days
    report = reports.earnings(date(2026, 3, 2), date(2026, 3, 4), now=NOW)
    by = {m["courier_id"]: m for m in report["members"]}
    a, b = by[ana.id], by[bea.id]
    # Monday, v2: 4 h x 9.00 + 2 deliveries x 2.50 + 3 km x 0.40
    # Tuesday: 1 h x 9.00 (v2) + 3 h x 10.00 (v3), 2.50 (v2) + 3.00 (v3), 2 x 2 km x 0.40
    assert a["pay"] == {"hours": 3600 + 900 + 3000, "deliveries": 500 + 250 + 300,
                        "failed_attempts": 0, "distance": 120 + 80 + 80, "night_bonus": 0,
                        "sunday_bonus": 0, "topup": 0}
    assert a["by_version"] == [{"version": 2, "cents": 3600 + 500 + 120 + 900 + 250 + 80},
                               {"version": 3, "cents": 3000 + 300 + 80}]
    assert a["total_cents"] == 8830 == sum(line["cents"] for line in a["lines"])
    # Wednesday, v3: 2 h x 10.00 is under the guaranteed 11.00 an hour: topped up
    assert b["pay"]["hours"] == 2000 and b["topup_cents"] == 200 and b["total_cents"] == 2200
    assert a["deliveries"] == 4 and a["on_shift_s"] == 8 * 3600 and a["km_ridden"] == 7.0


def test_members_pay_sums_to_the_coop_total_and_days_add_up(three_days):
    report = reports.earnings(date(2026, 3, 2), date(2026, 3, 4), now=NOW)
    assert report["totals"]["total_cents"] == sum(m["total_cents"] for m in report["members"])
    assert report["totals"]["total_cents"] == 8830 + 2200
    assert report["versions"] == [2, 3]
    days = [reports.earnings(d, d, now=NOW) for d in (date(2026, 3, 2), date(2026, 3, 3),
                                                       date(2026, 3, 4))]
    assert sum(d["totals"]["total_cents"] for d in days) == report["totals"]["total_cents"]
    for comp in report["totals"]["pay"]:
        assert sum(d["totals"]["pay"][comp] for d in days) == report["totals"]["pay"][comp]


def test_fairness_figures(three_days):
    f = reports.earnings(date(2026, 3, 2), date(2026, 3, 4), now=NOW)["fairness"]
    assert f["members"] == 2
    assert f["hourly_min_cents"] == 1000 and f["hourly_max_cents"] == round(8830 / 8)
    assert f["share_below_guaranteed"] == 0.5  # Bea, before her top-up
    assert f["gini_hours"] == gini([8 * 3600, 2 * 3600]) == 0.3


def test_night_and_sunday_work_earn_their_bonuses(make_user, council):
    ana = courier(make_user, since=None)
    sunday = datetime(2026, 3, 8, 21, tzinfo=UTC)  # 22:00 local, Sunday night
    shift(ana.courier, sunday, sunday + timedelta(hours=1))
    m = reports.earnings(date(2026, 3, 8), date(2026, 3, 8), now=NOW)["members"][0]
    assert m["pay"]["hours"] == 900 and m["pay"]["night_bonus"] == 225
    assert m["pay"]["sunday_bonus"] == 225


def test_a_council_correction_changes_pay_and_keeps_the_record(make_user, council):
    from courier.extensions import db
    from courier.fairwork import tracking
    from courier.models import Event

    ana = courier(make_user, since=None)
    shift(ana.courier, at(MON, 8), at(MON, 18))  # forgot to end the shift at 12:00
    (opened,) = db.session.query(Event).filter_by(action="shift_started").all()
    tracking.correct(council.user, ana.courier, "shift", "forgot to go off shift",
                     target=opened.id, end=at(MON, 12), now=NOW)
    db.session.commit()
    m = reports.earnings(date(2026, 3, 2), date(2026, 3, 2), now=NOW)["members"][0]
    assert m["on_shift_s"] == 4 * 3600
    assert [e.action for e in db.session.query(Event).order_by(Event.id)] == [
        "shift_started", "shift_ended", "time_corrected"]


def test_breaks_are_not_paid_hours(make_user, council):
    from courier.extensions import db
    from courier.fairwork import tracking

    ana = courier(make_user, since=at(MON, 8))
    tracking.start_break(ana.user, now=at(MON, 11))
    tracking.end_break(ana.user, now=at(MON, 11, 30))
    db.session.commit()
    m = reports.earnings(date(2026, 3, 2), date(2026, 3, 2), now=at(MON, 12))["members"][0]
    assert m["on_shift_s"] == 3 * 3600 + 30 * 60


def test_gini():
    assert gini([5, 5, 5]) == 0 and gini([]) == 0 and gini([0, 0, 10]) == round(2 / 3, 4)
