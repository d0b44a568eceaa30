"""Fair work in a real browser, in French on a phone: a member reads why they got work or
not and contests a decision; the council reads the contest and the warning rules breached,
answers, and the member sees the answer arrive; the council's rules page writes every rule
in words with its unit, the version in force apart from what is scheduled."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.history import ANSWER, CONTEST, build

VEHICLE_CAPS = "Charges maximales par type de véhicule"  # load.vehicle_caps, in French


def test_member_reads_why_and_contests_a_warning(open_page, make_user, server, snap):
    h = build(make_user)
    page = open_page(h.ana, lang="fr", service_workers="block")
    page.goto("/me/earnings")
    warning = page.locator(f'#decisions li[data-event="{h.warning_event}"]')
    expect(warning).to_contain_text("Avertissement de règle")
    expect(warning).to_contain_text(f"({VEHICLE_CAPS})")  # the rule in words, not its key
    expect(warning).to_contain_text("porte jusqu'à 12 kg")
    offer = page.locator('#decisions li[data-action="offered"]').filter(has_text="proposée à")
    expect(offer).to_contain_text("proposée à Ana")
    expect(offer).not_to_contain_text("0.2 km")  # French decimals
    assert "load.vehicle_caps" not in page.locator("#decisions").inner_text()
    snap(page, "member-decisions")

    warning.locator("button[data-contest]").click()
    warning.locator("textarea").fill("Le colis pesait 9 kg, pas 12.")
    warning.locator("form button").click()
    expect(page.locator("#decisions-notice")).to_have_text(
        "Envoyé : le conseil répondra ici.")
    expect(page.locator("#decisions-notice")).to_have_class("notice ok")
    expect(warning).to_contain_text("contestée")
    mine = page.locator("#contests li").first
    expect(mine).to_contain_text("Le colis pesait 9 kg, pas 12.")
    expect(mine).to_contain_text("En attente de la réponse du conseil.")


def test_an_empty_contest_is_refused_at_its_field(open_page, make_user, server):
    h = build(make_user)
    page = open_page(h.ana, lang="fr", service_workers="block")
    page.goto("/me/earnings")
    warning = page.locator(f'#decisions li[data-event="{h.warning_event}"]')
    warning.locator("button[data-contest]").click()
    warning.locator("textarea").evaluate("(n) => { n.required = false; n.value = '   '; }")
    warning.locator("form button").click()
    expect(warning.locator('.field-error[data-for="body"]')).to_have_text("obligatoire")
    expect(warning.locator("textarea")).to_have_attribute("aria-invalid", "true")


def test_council_answers_a_contest_and_the_member_sees_it_live(open_page, make_user, server,
                                                                 snap):
    h = build(make_user)
    member = open_page(h.bea, lang="fr", service_workers="block")
    member.goto("/me/earnings")
    contest = member.locator(f'#contests li[data-contest="{h.contest_id}"]')
    expect(contest).to_contain_text(CONTEST)
    expect(contest).to_contain_text("En attente de la réponse du conseil.")
    expect(contest).to_contain_text("pas de proposition")  # the decision contested, in French

    council = open_page(h.council, phone=False, lang="fr")
    council.goto("/council")
    item = council.locator(f'#contests li[data-contest="{h.contest_id}"]')
    expect(item).to_have_attribute("data-status", "open")
    expect(item).to_contain_text("Béa Martin")
    expect(item).to_contain_text(CONTEST)
    snap(council, "council-contests")
    item.locator('input[name="body"]').fill(ANSWER)
    item.locator("button").click()
    expect(council.locator("#contests-notice")).to_have_class("notice ok")
    expect(council.locator(f'#contests li[data-contest="{h.contest_id}"]')).to_have_attribute(
        "data-status", "answered")

    expect(contest.locator(".answer")).to_have_text(f"Chloé Conseil : {ANSWER}")  # no reload
    assert member.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_council_reads_the_warning_rules_breached_in_words(open_page, make_user, server):
    h = build(make_user)
    page = open_page(h.council, phone=True, lang="fr")
    page.goto("/council")
    warning = page.locator(f'#warnings li[data-event="{h.warning_event}"]')
    expect(warning).to_contain_text(f"({VEHICLE_CAPS})")
    expect(warning).to_contain_text("au-delà du plafond de 10 kg")
    members = page.locator("#members")
    expect(members.locator("tbody tr")).to_have_count(2)
    expect(members.locator("tbody td").first).to_have_attribute("data-label", "Livraisons")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert "Ana Lopez" in members.inner_text() and "13,6\u00a0km" in members.inner_text()
