"""Honest figures, in a real browser: the council's report page, its CSV and the API give
each member the same numbers; an effective hourly pay computed over fewer hours on shift
than the council set is not shown, on the member's page nor on the council's, and both say
why; on a phone the report's table is read as stacked rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from courier.extensions import db
from tests.browser.conftest import COOP_TZ
from tests.browser.history import build
from tests.fairwork.helpers import delivered, shift

ZONE = ZoneInfo(COOP_TZ)


def _period(page, first, last):
    """Show the period, once the page's first (this week's) figures are in."""
    page.wait_for_load_state("networkidle")
    page.fill("#period input[name=from]", first.isoformat())
    page.fill("#period input[name=to]", last.isoformat())
    with page.expect_response(lambda r: f"/reports/earnings?from={first}&to={last}" in r.url):
        page.click("#period button")


def _days():
    """Days that are over, with the history's runs of yesterday: the figures stay put while
    the page, the API and the CSV are read (today's open shifts would add to them)."""
    today = datetime.now(ZONE).date()
    return today - timedelta(days=3), today - timedelta(days=1)


def test_the_council_page_its_csv_and_the_api_give_the_same_numbers(open_page, make_user,
                                                                    server):
    h = build(make_user)
    first, last = _days()
    q = f"from={first}&to={last}"
    api = h.council.get(f"/reports/earnings?{q}").json
    assert len(api["members"]) == 2
    page = open_page(h.council, lang="fr", phone=False)
    page.goto("/council")
    _period(page, first, last)
    table = page.locator("#members")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.locator("#csv")).to_have_attribute(
        "href", f"/api/v1/reports/earnings?{q}&format=csv")
    rows = {r["courier_id"]: r for r in csv.DictReader(io.StringIO(
        page.request.get(page.locator("#csv").get_attribute("href")).text()))}

    for m in api["members"]:
        # as the page writes the API's figures in French
        shown = page.evaluate("""(m) => [num(m.deliveries), km(m.km_ridden),
            FW.hours(m.on_shift_s), FW.hours(m.active_s), money(m.pay.hours),
            money(m.pay.deliveries), money(m.pay.distance), money(m.total_cents)]""", m)
        row = table.locator("tbody tr").filter(has=page.locator("th", has_text=m["name"]))
        cells = row.locator("td")
        got = [cells.nth(i).inner_text() for i in (0, 1, 2, 3, 4, 5, 7, 11)]
        assert got == shown, (m["name"], got, shown)
        assert cells.last.inner_text() == page.evaluate(
            "(m) => FW.hourly(m.effective_hourly_cents, m.on_shift_s)", m)
        own = rows[str(m["courier_id"])]
        assert (int(own["deliveries"]), float(own["km_ridden"]), float(own["on_shift_h"]),
                int(own["hours_cents"]), int(own["deliveries_cents"]),
                int(own["distance_cents"]), int(own["total_cents"])) == (
            m["deliveries"], m["km_ridden"], round(m["on_shift_s"] / 3600, 2), m["pay"]["hours"],
            m["pay"]["deliveries"], m["pay"]["distance"], m["total_cents"])
        hourly = m["effective_hourly_cents"]
        assert own["effective_hourly_cents"] == ("" if hourly is None else str(hourly))
    total = table.locator("tfoot tr").first.locator("td")
    assert total.nth(11).inner_text() == page.evaluate("(c) => money(c)",
                                                       api["totals"]["total_cents"])
    (footer,) = [r for r in csv.reader(io.StringIO(page.request.get(
        page.locator("#csv").get_attribute("href")).text())) if r[1] == "total"]
    assert int(footer[-3]) == api["totals"]["total_cents"]

    display = "(n) => getComputedStyle(n).display"
    assert table.locator("tbody tr").first.evaluate(display) == "table-row"  # a desktop
    page.set_viewport_size({"width": 360, "height": 740})  # a phone: rows stacked
    cell = table.locator("tbody td").first
    expect(cell).to_have_attribute("data-label", "Livraisons")
    assert table.locator("thead").evaluate(display) == "none"
    assert table.locator("tbody tr").first.evaluate(display) == "block"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_an_hourly_rate_over_too_few_hours_is_not_shown_and_the_pages_say_why(
        open_page, make_user, make_merchant, server):
    """The template shows an hourly figure from 2 h on shift: Ana has worked one hour."""
    make_user("council", "Chloé Conseil")
    shop = make_merchant("Épicerie Rosa")
    ana = make_user("courier", "Ana Lopez", vehicle="bike")
    yesterday = datetime.now(ZONE).date() - timedelta(days=1)
    start = datetime.combine(yesterday, time(10), ZONE).astimezone(UTC)
    shift(ana.user.courier, start, start + timedelta(hours=1))
    delivered(ana.user.courier, shop, accepted=start + timedelta(minutes=10),
              delivered_at=[start + timedelta(minutes=30)])
    first, last = yesterday, yesterday + timedelta(days=1)
    (m,) = ana.get(f"/reports/earnings?from={first}&to={last}").json["members"]
    assert m["on_shift_s"] == 3600 and m["total_cents"] > 0
    assert m["effective_hourly_cents"] is None
    db.session.commit()  # nothing of the test's left open for the live server to wait on

    page = open_page(ana, lang="fr", service_workers="block")
    page.goto("/me/earnings")
    _period(page, first, last)
    hourly = page.locator("#mine > div").filter(has_text="Par heure avant complément")
    expect(hourly.locator("dd").first).to_have_text(
        "Non affichée : 1\u00a0h en service, moins que les 2\u00a0h fixées par le conseil "
        "pour qu'un chiffre horaire ait un sens.")
    assert "heure sur" not in page.locator("main").inner_text()

    council = open_page(make_user("council", "Chloé Conseil"), lang="fr", phone=False)
    council.goto("/council")
    _period(council, first, last)
    row = council.locator("#members tbody tr").filter(has_text="Ana Lopez")
    expect(row.locator("td").last).to_have_text("non affichée sous 2\u00a0h en service")
    assert "heure sur" not in council.locator("#members").inner_text()
