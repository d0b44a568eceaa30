"""The council's rules page in French: the version in force and, apart, the one scheduled;
every rule in words with its unit in the history, the comparison and the what-if; a value
refused at its field; a publication confirmed in green, not in the error slot."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser import checks
from tests.browser.conftest import COOP_TZ
from tests.browser.history import build

MAX_DAY = '[data-path="working_time.max_day.limit_s"]'


def rules_page(open_page, make_user, phone=False):
    h = build(make_user)  # v2 in force (bike cap 10 kg, warning), v3 scheduled (8 h days)
    page = open_page(h.council, phone=phone, lang="fr")
    page.goto("/council/rules")
    expect(page.locator("#history > li")).to_have_count(3)
    return page


def test_in_force_and_scheduled_are_apart_and_in_words(open_page, make_user, server, snap):
    page = rules_page(open_page, make_user)
    expect(page.locator("#in-force")).to_contain_text("En vigueur : v2, depuis le")
    scheduled = page.locator('#scheduled [data-version="3"]')
    expect(scheduled).to_contain_text("Programmée : v3, à partir du")
    expect(scheduled).to_contain_text("Temps de travail maximal par jour : 10 h → 8 h")
    expect(page.locator("#draft-base")).to_contain_text("à partir de v3")
    expect(page.locator(MAX_DAY)).to_have_value("8")  # the draft starts from v3, and says so

    v2 = page.locator('#history > li[value="2"]')
    v2.locator("summary").click()
    expect(v2).to_contain_text("Charge maximale d'un vélo (poids) : 15 kg → 10 kg")
    expect(v2).to_contain_text(
        "Charges maximales par type de véhicule, application : bloquer → avertir")
    expect(page.locator('#history > li[value="1"]')).to_contain_text(
        "modèle publié : convention collective du transport routier")

    page.select_option('#compare select[name="from"]', "1")
    page.select_option('#compare select[name="to"]', "3")
    page.click("#compare button")
    table = page.locator("#compare-table")
    expect(table).to_contain_text("Temps de travail maximal par jour")
    expect(table.locator("tbody tr")).to_have_count(3)
    assert checks.rule_keys(page) == []
    snap(page, "council-rules")


def test_a_refused_value_is_shown_at_its_field(open_page, make_user, server):
    page = rules_page(open_page, make_user)
    page.fill(MAX_DAY, "30")  # hours: over a day
    page.fill('textarea[name="reason"]', "Essai")
    page.click("#rules-form button.primary")
    error = page.locator('.field-error[data-for="rules.working_time.max_day.limit_s"]')
    expect(error).to_have_text("doit être de 0 h à 24 h")
    expect(page.locator(MAX_DAY)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rules-form .form-error")).to_have_text(
        "Corrigez les champs signalés en rouge.")
    expect(page.locator("#published")).to_have_text("")

    page.fill(MAX_DAY, "9")  # v3 applies tomorrow: a version from now would come before it
    page.click("#rules-form button.primary")
    expect(page.locator('.field-error[data-for="effective_from"]')).to_be_visible()
    expect(error).to_have_count(0)


def test_a_publication_is_confirmed_in_green(open_page, make_user, server):
    page = rules_page(open_page, make_user)
    page.fill(MAX_DAY, "9")
    page.fill('textarea[name="reason"]', "Neuf heures")
    later = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill('input[name="effective_from"]', later)
    page.click("#rules-form button.primary")
    published = page.locator("#published")
    expect(published).to_have_text("Version v4 publiée.")
    expect(published).to_have_class("notice ok")
    expect(published).to_have_attribute("role", "status")
    expect(page.locator("#error")).to_have_text("")
    expect(page.locator("#scheduled [data-version]")).to_have_count(2)
    color = published.evaluate("(n) => getComputedStyle(n).color")
    assert color == "rgb(7, 92, 62)", color  # the accent green, not the error red


def test_the_what_if_summary_is_in_words(open_page, make_user, server):
    page = rules_page(open_page, make_user, phone=True)
    # a replay needs a period that is over: the form starts with the last seven days
    today = datetime.now(ZoneInfo(COOP_TZ)).date()  # the browser's day, on the coop's clock
    expect(page.locator('#whatif input[name="from"]')).to_have_value(
        (today - timedelta(days=7)).isoformat())
    expect(page.locator('#whatif input[name="to"]')).to_have_value(
        (today - timedelta(days=1)).isoformat())
    side = {"jobs": 12, "served": 11, "late": 1, "unassigned": 1, "km": 41.25,
            "on_shift_s": 36000,
            "total_cents": 15230, "members": [], "cycles": 3,
            "fairness": {"gini_hours": 0.1234, "gini_pay": 0.2, "hourly_min_cents": 1100,
                         "hourly_median_cents": 1300, "share_below_guaranteed": 0.25}}
    answer = {"from": "2026-11-30", "to": "2026-12-01", "base_version": 2,
              "changes": [{"path": "pay.per_hour_cents", "from": 900, "to": 1050}],
              "actual": side, "replayed_current": side, "proposed": side}
    page.route("**/api/v1/rules/what-if", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(answer)))
    page.fill('#whatif input[name="from"]', "2026-11-30")
    page.fill('#whatif input[name="to"]', "2026-12-01")
    page.click("#whatif button")
    expect(page.locator("#whatif-changes")).to_have_text(
        "Rémunération par heure en service : 9,00 € → 10,50 €")
    expect(page.locator("#whatif-table")).to_contain_text("41,3")
    expect(page.locator("#whatif-table")).to_contain_text("0,123")
    lowest = page.locator("#whatif-table tbody tr").filter(has_text="Taux horaire : le plus bas")
    expect(lowest.locator("td").first).to_have_text("11,00\u00a0€ de l'heure sur 10\u00a0h")
    assert checks.too_wide(page) is None


def test_the_council_balances_work_by_pay_per_hour_from_the_page(open_page, make_user, server):
    from courier.extensions import db
    from courier.fairwork.versions import latest

    page = rules_page(open_page, make_user)
    balance = page.locator('[data-path="fairness.balance"]')
    balance.select_option(label="rémunération horaire la plus basse d'abord")
    page.fill('textarea[name="reason"]', "Personne sous le minimum horaire")
    later = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.fill('input[name="effective_from"]', later)
    page.click("#rules-form button.primary")
    expect(page.locator("#published")).to_have_text("Version v4 publiée.")
    expect(page.locator('#scheduled [data-version="4"]')).to_contain_text(
        "Équilibrer le travail entre membres : désactivée → "
        "rémunération horaire la plus basse d'abord")
    db.session.expire_all()
    assert latest().rules["fairness"]["balance"] == "hourly"
