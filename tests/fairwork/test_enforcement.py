"""Dispatch obeys the council's rules. For each blocking rule, the same situation
is planned with the rule off (the plan breaks it) and blocking (it does not)."""

from datetime import timedelta

import pytest

from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.fairwork.rules import merge
from courier.models import Event
from tests.conftest import LYON
from tests.fairwork.helpers import (
    NOW,
    H,
    all_off,
    courier,
    delivered,
    job,
    publish,
    rules,
    shift,
)

MODES = ["off", "block"]


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


def cycle(now=NOW):
    result = run_cycle(now=now)
    return result.runs, {j.id: text for j, text in result.unassigned}


def run_end(run) -> float:
    """Seconds from the run's start to the end of its last drop-off."""
    last = max(s.planned_arrival for s in run.stops)
    return (last - run.planned_start).total_seconds() + 120


@pytest.mark.parametrize("enforce", MODES)
def test_max_day(make_user, make_merchant, council, enforce):
    ana = courier(make_user, since=NOW - timedelta(hours=9, minutes=55))  # 5 min left
    j = job(make_merchant(), dlat=0.02)
    rules(council, "working_time.max_day", enforce, limit_s=10 * H)
    runs, missed = cycle()
    if enforce == "off":
        assert runs[0].courier_id == ana.courier.id and run_end(runs[0]) > 5 * 60
    else:
        assert runs == [] and "rules v2" in missed[j.id]


@pytest.mark.parametrize("enforce", MODES)
def test_max_week(make_user, make_merchant, council, enforce):
    ana = courier(make_user, since=NOW - timedelta(minutes=5))
    monday = NOW - timedelta(days=2, hours=8)  # Monday 01:00 UTC
    shift(ana.courier, monday, monday + timedelta(hours=23, minutes=50))
    shift(ana.courier, monday + timedelta(hours=24), monday + timedelta(hours=48))
    j = job(make_merchant(), dlat=0.02)
    rules(council, "working_time.max_week", enforce, limit_s=48 * H)
    runs, missed = cycle()
    if enforce == "off":
        assert runs and run_end(runs[0]) > 5 * 60  # 47 h 55 worked: 5 min left
    else:
        assert runs == [] and "rules v2" in missed[j.id]


@pytest.mark.parametrize("enforce", MODES)
def test_daily_rest(make_user, make_merchant, council, enforce):
    now = NOW.replace(hour=17, minute=50)
    ana = courier(make_user, since=now - timedelta(minutes=5))
    shift(ana.courier, NOW.replace(hour=5), NOW.replace(hour=7))  # day opened at 05:00
    j = job(make_merchant(), now=now, dlat=0.02)
    rules(council, "working_time.daily_rest", enforce, min_s=11 * H)  # rest due at 18:00
    runs, missed = cycle(now)
    if enforce == "off":
        assert runs and run_end(runs[0]) > 10 * 60
    else:
        assert runs == [] and "rules v2" in missed[j.id]


@pytest.mark.parametrize("enforce", MODES)
def test_break_after_continuous_work(make_user, make_merchant, council, enforce):
    courier(make_user, since=NOW - timedelta(hours=5, minutes=55))
    job(make_merchant(), dlat=0.02)
    rules(council, "working_time.break", enforce, after_s=6 * H, duration_s=30 * 60)
    (run,), _ = cycle()
    if enforce == "off":
        assert "break" not in run.reason and run_end(run) > 5 * 60
    else:
        assert "includes a 30 min break" in run.reason
        # the break starts by the time it is due (5 min from now), before the run's end
        assert run.stops[-1].planned_arrival >= NOW + timedelta(minutes=30)
        assert "rules v2" in run.reason


@pytest.mark.parametrize("enforce", MODES)
def test_consecutive_days(make_user, make_merchant, council, enforce):
    ana = courier(make_user)
    for d in range(1, 7):
        day = NOW - timedelta(days=d)
        shift(ana.courier, day, day + timedelta(hours=2))
    j = job(make_merchant())
    rules(council, "working_time.consecutive_days", enforce, max_days=6)
    runs, missed = cycle()
    if enforce == "off":
        assert runs and runs[0].courier_id == ana.courier.id
    else:
        assert runs == []
        assert "held back under rules v2" in missed[j.id]
        assert "6 days worked in a row" in missed[j.id]
        told = db.session.query(Event).filter_by(action="not_offered",
                                                 courier_id=ana.courier.id).one()
        assert "6 days worked in a row, at most 6" in told.reason


@pytest.mark.parametrize("enforce", MODES)
def test_vehicle_load_cap(make_user, make_merchant, council, enforce):
    courier(make_user)
    j = job(make_merchant(), weight=12)
    caps = {"bike": {"kg": 10.0, "l": 40.0}, "cargo_bike": {"kg": 80.0, "l": 250.0}}
    rules(council, "load.vehicle_caps", enforce, **caps)
    runs, missed = cycle()
    if enforce == "off":
        assert [s.job_id for s in runs[0].stops] == [j.id, j.id]
    else:
        assert runs == []
        assert missed[j.id] == ("not assigned: 12 kg is over every on-shift vehicle's cap "
                                "under rules v2 (largest 10 kg)")


@pytest.mark.parametrize("enforce", MODES)
def test_max_stops(make_user, make_merchant, council, enforce):
    courier(make_user)
    shop = make_merchant()
    for i in range(3):
        job(shop, dlat=0.004 * (i + 1))
    rules(council, "load.max_stops", enforce, limit=4)
    (run,), _ = cycle()
    assert len(run.stops) == (6 if enforce == "off" else 4)


@pytest.mark.parametrize("enforce", MODES)
def test_max_run_duration(make_user, make_merchant, council, enforce):
    courier(make_user)
    shop = make_merchant()
    for dlat, dlon in ((0.02, 0.0), (0.0, 0.03), (-0.02, 0.0)):
        job(shop, dlat=dlat, dlon=dlon, minutes=180)
    rules(council, "load.max_run", enforce, limit_s=20 * 60)
    (run,), missed = cycle()
    if enforce == "off":
        assert run_end(run) > 20 * 60
    else:
        assert run_end(run) <= 20 * 60 and missed


def test_balancing_prefers_the_courier_with_fewer_hours(make_user, make_merchant, council):
    near = courier(make_user, "Ana", lat=LYON[0] + 0.002, since=NOW - timedelta(hours=1))
    far = courier(make_user, "Bea", lat=LYON[0] - 0.004, since=NOW - timedelta(minutes=10))
    shift(near.courier, NOW - timedelta(days=1), NOW - timedelta(days=1) + timedelta(hours=8))
    job(make_merchant())
    publish(council, merge(all_off(), {"fairness": {"balance": "hours", "strength": 100}}))
    (run,), _ = cycle()
    assert run.courier_id == far.courier.id
    assert "fewer hours this week than nearer couriers (balancing)" in run.reason


@pytest.mark.parametrize("mode, chosen, why", [
    ("pay", "Ana", "nearest courier on shift"),  # less pay so far, and nearer
    ("hourly", "Bea", "less pay per hour on shift this week than nearer couriers (balancing)"),
])
def test_balancing_by_pay_per_hour_prefers_who_waited_on_shift_for_work(
        make_user, make_merchant, council, mode, chosen, why):
    """Ana rode eight jobs in her one hour yesterday; Bea waited ten hours for one: Bea
    has more pay this week (her hours are paid), and less of it per hour on shift."""
    shop = make_merchant()
    ana = courier(make_user, "Ana", lat=LYON[0] + 0.002, since=NOW - timedelta(minutes=10))
    bea = courier(make_user, "Bea", lat=LYON[0] - 0.004, since=NOW - timedelta(minutes=10))
    yesterday = NOW - timedelta(days=1)
    for who, hours, jobs in ((ana, 1, 8), (bea, 10, 1)):
        shift(who.courier, yesterday, yesterday + timedelta(hours=hours))
        delivered(who.courier, shop, accepted=yesterday,
                  delivered_at=[yesterday + timedelta(minutes=7 * k) for k in range(1, jobs + 1)])
    job(shop)
    publish(council, merge(all_off(), {"fairness": {"balance": mode, "strength": 100}}))
    (run,), _ = cycle()
    assert run.courier.user.first_name == chosen, run.reason
    assert why in run.reason


def test_without_balancing_the_nearest_courier_gets_the_job(make_user, make_merchant, council):
    near = courier(make_user, "Ana", lat=LYON[0] + 0.002, since=NOW - timedelta(hours=1))
    courier(make_user, "Bea", lat=LYON[0] - 0.004, since=NOW - timedelta(minutes=10))
    shift(near.courier, NOW - timedelta(days=1), NOW - timedelta(days=1) + timedelta(hours=8))
    job(make_merchant())
    publish(council, all_off())
    (run,), _ = cycle()
    assert run.courier_id == near.courier.id
    assert run.reason.startswith(
        "offered to Ana: nearest courier on shift, 0.2 km away, 2 of 15 kg")


def test_a_warning_rule_is_recorded_on_the_run(make_user, make_merchant, council):
    courier(make_user)
    job(make_merchant(), weight=12)
    caps = {"bike": {"kg": 10.0, "l": 40.0}, "cargo_bike": {"kg": 80.0, "l": 250.0}}
    rules(council, "load.vehicle_caps", "warn", **caps)
    (run,), _ = cycle()
    assert "warning: carries up to 12 kg" in run.reason
    (ev,) = db.session.query(Event).filter_by(action="rule_warning", run_id=run.id).all()
    assert ev.data["rules_version"] == 2 and ev.data["warnings"][0]["rule"] == "load.vehicle_caps"


def test_a_courier_is_told_why_they_got_no_offer(make_user, make_merchant, council):
    shop = make_merchant()
    # over every cap: submitted before the couriers joined (a job no vehicle of the coop
    # can carry is refused at submission)
    job(shop, weight=90, dlat=-0.01)
    ana = courier(make_user, "Ana")
    cargo = courier(make_user, "Carl", vehicle="cargo_bike", lat=LYON[0] + 0.01)
    job(shop, weight=40)
    publish(council, all_off())
    (run,), _ = cycle()
    assert run.courier_id == cargo.courier.id
    told = db.session.query(Event).filter_by(action="not_offered", courier_id=ana.courier.id)
    assert told.one().reason == ("no offer: the 1 job left is over your bike's 15 kg cap "
                                 "(rules v2)")
    cycle(NOW + timedelta(seconds=30))  # nothing new: not told again
    assert told.count() == 1
