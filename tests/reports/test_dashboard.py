"""The dashboards' figures on a known week: deliveries per hour and day, on-time share,
km and hours per delivery, CO2 avoided, the members' hours and pay and their Gini by week,
for the coop and for one shop's jobs."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from courier.fairwork.earned import collect
from courier.reports import dashboard as d
from courier.reports.earnings import bounds, earnings
from tests.reports.week import NOW, WEEK, build


@pytest.fixture
def week(make_user, make_merchant):
    """The ids of shop A and shop B."""
    w = build(make_user, make_merchant)
    return w.shop_a.user.merchant.id, w.shop_b.user.merchant.id


def test_deliveries_are_counted_by_local_hour_and_day(week):
    charts = d.dashboard(*WEEK, now=NOW)["charts"]
    hours = charts["deliveries_per_hour"]
    assert hours["labels"] == list(range(24)) and hours["label"] == "hour"
    # 09:30 and 10:00 UTC on Monday, 10:20 and 10:30 UTC on Tuesday: 10:30, 11:00, 11:20, 11:30
    assert {h: n for h, n in zip(hours["labels"], hours["series"]["deliveries"],
                                 strict=True) if n} == {10: 1, 11: 3}
    per_day = charts["deliveries_per_day"]
    assert per_day["labels"] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert per_day["series"] == {"deliveries": [2, 2, 0]}


def test_on_time_share_per_day_has_no_figure_for_a_day_without_deliveries(week):
    data = d.dashboard(*WEEK, now=NOW)
    assert data["charts"]["on_time"]["series"] == {"on_time_share": [0.5, 1.0, None]}
    assert data["totals"]["on_time"] == 3 and data["totals"]["on_time_share"] == 0.75


def test_km_and_courier_hours_per_delivery(week):
    data = d.dashboard(*WEEK, now=NOW)
    per = data["charts"]["per_delivery"]["series"]
    assert per["km_per_delivery"] == [1.5, 1.0, None]
    assert per["shift_h_per_delivery"] == [2.0, 2.0, None]  # 4 h for 2 deliveries each day
    assert per["active_h_per_delivery"] == [0.5, 0.25, None]  # runs of 1 h and 30 min
    t = data["totals"]
    assert (t["km"], t["shift_h"], t["active_h"]) == (5.0, 8.0, 1.5)
    assert (t["km_per_delivery"], t["shift_h_per_delivery"]) == (1.25, 2.0)


def test_co2_avoided_is_the_km_ridden_times_the_open_datas_van_factor(week, app):
    data = d.dashboard(*WEEK, now=NOW)
    assert data["co2_kg_per_km"] == 0.25023  # a diesel van, as the open data counts it
    co2 = data["charts"]["co2"]["series"]
    assert co2["km"] == [3.0, 2.0, 0.0]
    assert co2["co2_avoided_kg"] == [0.75, 0.5, 0.0]  # 0.75069 and 0.50046 kg
    assert data["totals"]["co2_avoided_kg"] == 1.25
    app.config["VAN_KG_CO2E_PER_KM"] = 0.5  # a coop's own factor
    assert d.dashboard(*WEEK, now=NOW)["charts"]["co2"]["series"]["co2_avoided_kg"][0] == 1.5


def test_a_shop_sees_its_own_jobs_share_of_the_runs_and_no_members(week):
    shop_a, shop_b = week
    data = d.dashboard(*WEEK, merchant_id=shop_a, now=NOW)
    assert data["scope"] == "shop" and set(data["charts"]) == set(d.SHOP_CHARTS)
    assert data["charts"]["deliveries_per_day"]["series"]["deliveries"] == [2, 1, 0]
    # its half of Bea's stops: 1 km of her 2 km, 15 min of her 30 min
    assert data["charts"]["co2"]["series"]["km"] == [3.0, 1.0, 0.0]
    per = data["charts"]["per_delivery"]["series"]
    assert per == {"km_per_delivery": [1.5, 1.0, None], "active_h_per_delivery": [0.5, 0.25, None]}
    assert "shift_h" not in data["totals"]
    other = d.dashboard(*WEEK, merchant_id=shop_b, now=NOW)
    assert other["totals"]["deliveries"] == 1 and other["totals"]["km"] == 1.0


def test_members_hours_and_hourly_pay_match_the_earnings_report(week):
    report = earnings(*WEEK, now=NOW)
    charts = d.dashboard(*WEEK, names=True, now=NOW)["charts"]
    assert charts["hours"]["labels"] == ["Ana", "Bea"]
    assert charts["hours"]["series"] == {"on_shift_h": [4.0, 4.0]}
    rates = {m["name"]: m["effective_hourly_cents"] for m in report["members"]}
    assert dict(zip(charts["hourly"]["labels"], charts["hourly"]["series"][
        "effective_hourly_cents"], strict=True)) == rates
    assert charts["hourly"]["guaranteed_hourly_cents"] == 1000


def test_without_names_the_members_are_an_anonymised_sorted_distribution(week):
    charts = d.dashboard(*WEEK, names=False, now=NOW)["charts"]
    assert charts["hours"]["labels"] == ["#1", "#2"]
    rates = charts["hourly"]["series"]["effective_hourly_cents"]
    assert rates == sorted(rates) and charts["hourly"]["labels"] == ["#1", "#2"]
    assert "Ana" not in d.to_csv(charts["hourly"]) + d.to_csv(charts["hours"])


def test_gini_week_by_week_has_no_figure_under_two_members(week):
    chart = d.dashboard(date(2026, 3, 1), date(2026, 3, 10), only=("gini_weeks",),
                        now=NOW)["charts"]["gini_weeks"]
    # Sunday 1 March alone, then Monday 2 to Sunday 8, then Monday 9 and Tuesday 10
    assert chart["labels"] == ["2026-03-01", "2026-03-02", "2026-03-09"]
    assert chart["series"]["members"] == [0, 2, 0]
    fair = earnings(date(2026, 3, 2), date(2026, 3, 8), now=NOW)["fairness"]
    assert chart["series"]["gini_hours"] == [None, 0.0, None]
    assert chart["series"]["gini_pay"] == [None, fair["gini_pay"], None]
    assert chart["empty"] is False


def test_a_part_cut_from_the_periods_record_gives_that_parts_earnings_report(week):
    tz = ZoneInfo("Europe/Paris")
    entries = collect(*bounds(*WEEK, tz), NOW)
    days = d.days(*WEEK)
    for day, part in zip(days, d.split(entries, [(x, x) for x in days], tz), strict=True):
        direct = earnings(day, day, now=NOW)
        cut = earnings(day, day, NOW, part)
        assert cut["fairness"] == direct["fairness"]
        assert [(m["name"], m["on_shift_s"], m["total_cents"]) for m in cut["members"]] == [
            (m["name"], m["on_shift_s"], m["total_cents"]) for m in direct["members"]]


def test_an_empty_period_has_every_chart_empty_and_no_ratio(app):
    data = d.dashboard(date(2026, 2, 2), date(2026, 2, 8), now=NOW)
    assert set(data["charts"]) == set(d.COOP_CHARTS)
    assert all(c["empty"] for c in data["charts"].values())
    assert data["charts"]["deliveries_per_day"]["series"]["deliveries"] == [0] * 7
    assert data["charts"]["on_time"]["series"]["on_time_share"] == [None] * 7
    assert data["charts"]["hours"]["labels"] == [] and data["totals"]["km_per_delivery"] is None


def test_time_is_split_at_local_midnight_across_the_clock_change():
    paris = ZoneInfo("Europe/Paris")
    # Saturday 28 March 2026 22:00 to Sunday 29 March 04:00 local: clocks go forward at 02:00
    start = datetime(2026, 3, 28, 22, tzinfo=paris)
    end = datetime(2026, 3, 29, 4, tzinfo=paris)
    split = d.per_day([(start.astimezone(UTC), end.astimezone(UTC))], paris)
    assert split == {date(2026, 3, 28): 2 * 3600, date(2026, 3, 29): 3 * 3600}


def test_a_period_is_cut_into_weeks_from_monday():
    assert d.weeks(date(2026, 3, 4), date(2026, 3, 17)) == [
        (date(2026, 3, 4), date(2026, 3, 8)), (date(2026, 3, 9), date(2026, 3, 15)),
        (date(2026, 3, 16), date(2026, 3, 17))]


def test_a_charts_csv_has_its_x_column_then_a_column_per_series():
    chart = d.chart("member", ["=HYPERLINK(1)", "Bea"], on_shift_h=[1.5, None])
    assert d.to_csv(chart).splitlines() == ["member,on_shift_h", "'=HYPERLINK(1),1.5", "Bea,"]
