"""The fair-work figures explained, in a real browser and in French: each figure of the
member's page and of the council's report has its one line on how it is computed, linked
to docs/fairwork.md, and the effective hourly pay is never shown without its hours."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.history import build

HOURS = re.compile(r"de l’heure sur|de l'heure sur")


def _every_figure_explained(page, figures):
    items = page.locator(f"{figures} > div")
    expect(items.first).to_be_visible()
    for i in range(items.count()):
        link = items.nth(i).locator("a.how")
        expect(link).to_have_count(1)
        expect(link).to_have_attribute("href", re.compile(r"^/docs/fairwork\.md#[a-z-]+$"))


def test_member_figures_say_how_they_are_computed(open_page, make_user, server):
    h = build(make_user)
    page = open_page(h.ana, lang="fr", service_workers="block")
    page.goto("/me/earnings")
    _every_figure_explained(page, "#mine")
    _every_figure_explained(page, "#fairness")
    hourly = page.locator("#mine > div").filter(has_text="Par heure avant complément")
    expect(hourly.locator("dd").first).to_have_text(HOURS)  # "12,40 € de l'heure sur 2,5 h"
    expect(page.locator("#lines-how li").first).to_contain_text("Selon la version des règles")
    expect(page.locator("#chart-hourly-note")).to_have_text(  # the others' rates, over what
        "Chaque barre est la paie d’un membre avant complément sur ses propres heures de "
        "service ; sous 2\u00a0h de service, aucun taux n’est affiché.")

    with page.expect_navigation():
        hourly.locator("a.how").click()
    assert "### Effective hourly pay" in page.content()


def test_council_figures_say_how_and_hourly_pay_sits_beside_its_hours(open_page, make_user,
                                                                     server):
    h = build(make_user)
    page = open_page(h.council, lang="fr", phone=False)
    page.goto("/council")
    _every_figure_explained(page, "#fairness")
    median = page.locator("#fairness > div").filter(has_text="Taux horaire : médian")
    expect(median.locator("dd").first).to_have_text(HOURS)
    rows = page.locator("#members tbody tr")
    expect(rows.first).to_be_visible()
    for i in range(rows.count()):
        expect(rows.nth(i).locator("td").last).to_have_text(re.compile(r"de l.heure sur|^–$"))
    expect(page.locator("#members-how li")).to_have_count(8)
    expect(page.locator("#members-how a.how").first).to_have_attribute(
        "href", "/docs/fairwork.md#deliveries")
