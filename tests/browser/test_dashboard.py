"""The dashboards in a real browser, in English and French: the council, dispatch and a
member read the coop's charts, a shop its own jobs' charts; each chart is drawn by Chart.js
with one point per label of the API's answer (or says there is no data), without a script
error; the council report's and the member's bars are drawn by the same library."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser import checks
from tests.browser.conftest import COOP_TZ
from tests.browser.history import build

DAYS = 3  # yesterday's and today's runs of the history, whatever the time of day
COOP = ("deliveries_per_hour", "deliveries_per_day", "on_time", "per_delivery", "co2",
        "hours", "hourly", "gini_weeks")
SHOP = COOP[:5]


def _period(days_back: int = DAYS, until: int = 0) -> tuple[str, str]:
    today = datetime.now(ZoneInfo(COOP_TZ)).date()
    return (str(today - timedelta(days=days_back)), str(today - timedelta(days=until)))


def _show(page, first: str, last: str) -> None:
    page.fill("#period input[name=from]", first)
    page.fill("#period input[name=to]", last)
    with page.expect_response(lambda r: f"/api/v1/dashboard?from={first}" in r.url):
        page.click("#period button")


DRAWN = """(name) => {
    const box = document.getElementById('chart-' + name);
    const canvas = box.querySelector('canvas');
    const chart = canvas && Chart.getChart(canvas);
    return {state: box.dataset.state, points: Number(box.dataset.points),
            labels: chart ? chart.data.labels.length : null,
            values: chart ? chart.data.datasets.map((d) => d.data.length) : []};
}"""


def _check_charts(page, actor, first, last, names) -> None:
    """Each chart as the API gives it: drawn with one point per label, or 'no data'."""
    api = actor.get(f"/dashboard?from={first}&to={last}").json["charts"]
    assert list(api) == list(names)
    for name, chart in api.items():
        box = page.locator(f"#chart-{name}")
        expect(box).to_have_attribute("data-state", "empty" if chart["empty"] else "drawn")
        got = page.evaluate(DRAWN, name)
        if chart["empty"]:
            assert got["points"] == 0 and got["labels"] is None, (name, got)
            expect(box.locator(".no-data")).to_be_visible()
        else:
            n = len(chart["labels"])
            assert got["points"] == got["labels"] == n, (name, got, n)
            assert set(got["values"]) == {n}, (name, got)  # every series, one value a label
        csv = page.locator(f'a.csv[data-chart="{name}"]').get_attribute("href")
        assert csv == f"/api/v1/dashboard?from={first}&to={last}&chart={name}&format=csv"


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("role", ["council", "dispatcher", "courier"])
def test_the_coops_charts_are_drawn_with_a_point_per_label(open_page, make_user, server,
                                                            snap, role, lang):
    h = build(make_user)
    actor = {"council": h.council, "dispatcher": h.dispatcher, "courier": h.ana}[role]
    page = open_page(actor, phone=False, lang=lang, service_workers="block")
    watch = checks.Watch(page, server.url)
    page.goto("/dashboard")
    first, last = _period()
    _show(page, first, last)
    _check_charts(page, actor, first, last, COOP)
    names = page.evaluate("Chart.getChart(document.querySelector('#chart-hours canvas'))"
                          ".data.labels")
    assert ("Ana Lopez" in names) == (role == "council"), names  # names: the council's only
    assert page.locator("#totals dt").first.inner_text() == (
        "Livraisons" if lang == "fr" else "Deliveries")
    if lang == "fr":
        assert checks.english_left(page) == []
        snap(page, f"dashboard-{role}")
    assert watch.take() == [] and watch.csp_violations() == 0


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_shop_reads_its_own_jobs_charts_from_its_page(open_page, make_user, server, snap,
                                                       lang):
    h = build(make_user)
    page = open_page(h.shop, phone=True, lang=lang, service_workers="block")
    watch = checks.Watch(page, server.url)
    page.goto("/shop")
    with page.expect_navigation():  # its script sets the period when the page loads
        page.click("a[href='/shop/dashboard']")
    expect(page.locator("#dashboard")).to_have_attribute("data-scope", "shop")
    first, last = _period()
    _show(page, first, last)
    _check_charts(page, h.shop, first, last, SHOP)
    expect(page.locator("#chart-hours")).to_have_count(0)  # no member's hours or pay
    csv = page.request.get(page.locator('a.csv[data-chart="co2"]').get_attribute("href"))
    assert csv.status == 200 and csv.text().startswith("day,km,co2_avoided_kg")
    assert not checks.too_wide(page)
    snap(page, f"dashboard-shop-{lang}")
    assert watch.take() == [] and watch.csp_violations() == 0


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_period_without_jobs_says_there_is_no_data(open_page, make_user, server, lang):
    h = build(make_user)
    page = open_page(h.council, phone=True, lang=lang, service_workers="block")
    watch = checks.Watch(page, server.url)
    page.goto("/dispatch")
    with page.expect_navigation():  # its script sets the period when the page loads
        page.click("a[href='/dashboard']")
    first, last = _period(400, 390)  # long before the history began
    _show(page, first, last)
    _check_charts(page, h.council, first, last, COOP)
    empty = page.locator(".chart .no-data")
    expect(empty).to_have_count(len(COOP))
    expect(empty.first).to_have_text(
        "Aucune donnée pour cette période." if lang == "fr" else "No data for this period.")
    expect(page.locator(".chart canvas")).to_have_count(0)
    assert watch.take() == []


def test_a_bad_period_shows_the_apis_reason(open_page, make_user, server):
    h = build(make_user)
    page = open_page(h.council, phone=False, lang="en", service_workers="block")
    page.goto("/dashboard")
    first, last = _period()
    _show(page, last, first)  # the end before the start
    expect(page.locator("#error")).to_contain_text("must not be before from")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_council_report_and_a_members_bars_are_drawn_by_chart_js(open_page, make_user,
                                                                     server, lang):
    h = build(make_user)
    first, last = _period()
    q = f"from={first}&to={last}"
    page = open_page(h.council, phone=False, lang=lang, service_workers="block")
    watch = checks.Watch(page, server.url)
    page.goto("/council")
    page.fill("#period input[name=from]", first)
    page.fill("#period input[name=to]", last)
    page.click("#period button")
    members = h.council.get(f"/reports/earnings?{q}").json["members"]
    hours = page.locator("#chart-hours")
    expect(hours).to_have_attribute("data-points", str(len(members)))
    expect(hours.locator("canvas")).to_have_count(1)
    member = open_page(h.ana, phone=True, lang=lang, service_workers="block")
    mine = checks.Watch(member, server.url)
    member.goto("/me/earnings")
    member.fill("#period input[name=from]", first)
    member.fill("#period input[name=to]", last)
    member.click("#period button")
    spread = h.ana.get(f"/reports/earnings?{q}").json["distribution"]["effective_hourly_cents"]
    expect(member.locator("#chart-hourly")).to_have_attribute("data-points", str(len(spread)))
    assert watch.take() == [] and mine.take() == []
