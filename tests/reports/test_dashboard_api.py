"""GET /api/v1/dashboard: who reads which charts, each chart's numbers as CSV, and a bad
period or chart refused naming the field."""

import pytest

from courier.reports import dashboard as d
from tests.reports.week import build
from tests.test_pages import login

Q = "/dashboard?from=2026-03-02&to=2026-03-04"


@pytest.fixture
def week(make_user, make_merchant):
    return build(make_user, make_merchant)


def test_the_council_reads_every_chart_with_the_members_by_name(week):
    r = week.council.get(Q)
    assert r.status_code == 200, r.json
    assert r.json["scope"] == "coop" and list(r.json["charts"]) == list(d.COOP_CHARTS)
    assert r.json["charts"]["hours"]["labels"] == ["Ana", "Bea"]
    assert r.json["totals"]["deliveries"] == 4


@pytest.mark.parametrize("who", ["dispatcher", "courier"])
def test_dispatch_and_members_read_the_members_as_an_anonymised_distribution(week, make_user,
                                                                            who):
    reader = week.ana if who == "courier" else make_user("dispatcher", "Dana")
    r = reader.get(Q)
    assert r.status_code == 200, r.json
    assert r.json["charts"]["hours"]["labels"] == ["#1", "#2"]
    assert "Ana" not in r.get_data(as_text=True) and "Bea" not in r.get_data(as_text=True)
    assert r.json["totals"] == week.council.get(Q).json["totals"]


def test_a_shop_reads_only_its_own_jobs_charts(week):
    r = week.shop_b.get(Q)
    assert r.status_code == 200, r.json
    assert r.json["scope"] == "shop" and list(r.json["charts"]) == list(d.SHOP_CHARTS)
    assert r.json["totals"]["deliveries"] == 1 and r.json["totals"]["km"] == 1.0
    for chart in ("hours", "hourly", "gini_weeks"):
        refused = week.shop_b.get(f"{Q}&chart={chart}")
        assert refused.status_code == 403 and refused.json["fields"] == {
            "chart": "not a chart of a shop"}


def test_a_partner_and_nobody_are_refused_in_json(week, make_user):
    partner = make_user("partner", "Pia Partner", lat=45.76, lon=4.84)
    r = partner.get(Q)
    assert r.status_code == 403 and r.is_json and "council" in r.json["error"]
    anonymous = week.council.client.get("/api/v1" + Q)
    assert anonymous.status_code == 401 and anonymous.is_json


def test_one_charts_numbers_download_as_csv(week):
    r = week.council.get(f"{Q}&chart=deliveries_per_day&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="deliveries_per_day_2026-03-02_2026-03-04.csv"')
    assert r.get_data(as_text=True).splitlines() == [
        "day,deliveries", "2026-03-02,2", "2026-03-03,2", "2026-03-04,0"]
    shop = week.shop_a.get(f"{Q}&chart=co2&format=csv").get_data(as_text=True)
    assert shop.splitlines()[:3] == ["day,km,co2_avoided_kg", "2026-03-02,3.0,0.75",
                                     "2026-03-03,1.0,0.25"]


def test_one_chart_alone_in_json(week):
    r = week.council.get(f"{Q}&chart=gini_weeks")
    assert r.status_code == 200 and list(r.json["charts"]) == ["gini_weeks"]
    assert r.json["totals"] == {}


@pytest.mark.parametrize("query, field", [
    ("from=2026-03-04&to=2026-03-02", "to"),  # the end before the start
    ("from=2025-01-01&to=2026-03-02", "to"),  # more than 366 days
    ("from=2026-02-30&to=2026-03-02", "from"),  # no such day
    ("to=2026-03-02", "from"),
    ("from=2026-03-02&to=2026-03-04&chart=pie", "chart"),
    ("from=2026-03-02&to=2026-03-04&format=csv", "chart"),  # CSV of which chart?
    ("from=2026-03-02&to=2026-03-04&format=xlsx", "format"),
    ("from=2026-03-02&to=2026-03-04&courier=1", "courier"),  # not a field of this endpoint
])
def test_a_bad_period_or_chart_is_refused_naming_the_field(week, query, field):
    r = week.council.get(f"/dashboard?{query}")
    assert r.status_code == 422 and r.is_json, r.get_data(as_text=True)
    assert field in r.json["fields"], r.json


def test_the_pages_how_link_serves_the_dashboards_document_with_the_co2_factor(client):
    r = client.get("/docs/dashboard.md")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert "0.25023 kg CO2e per km" in r.get_data(as_text=True)


@pytest.mark.parametrize("role, page, status", [
    ("council", "/dashboard", 200), ("dispatcher", "/dashboard", 200),
    ("courier", "/dashboard", 200), ("merchant", "/dashboard", 403),
    ("partner", "/dashboard", 403), ("merchant", "/shop/dashboard", 200),
    ("courier", "/shop/dashboard", 403), ("council", "/shop/dashboard", 403),
])
def test_who_opens_which_dashboard_page(client, make_user, role, page, status):
    located = role in ("courier", "merchant", "partner")
    login(client, make_user(role, lat=45.76, lon=4.83) if located else make_user(role))
    r = client.get(page)
    assert r.status_code == status
    if status == 200:
        html = r.get_data(as_text=True)
        assert "vendor/chart.js/chart.umd.min.js" in html and "js/dashboard.js" in html
        assert ('id="chart-hours"' in html) == (page == "/dashboard")
