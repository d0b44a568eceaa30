"""The weather card of the council's rules page, in French: nothing known at first, the
council's own conditions set from the form (a value refused at its field first), the
heat rule they pass listed in words, climbing said unchecked without an elevation model,
then back to the weather source."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import checks


def test_the_council_sets_the_weather_and_sees_the_rules_it_passes(open_page, make_user,
                                                                   server):
    council = make_user("council", "Chloé")
    r = council.post("/rules", json={"rules": {"safety": {"heat": {
        "enforce": "block", "above_c": 32}}}, "reason": "canicule"})
    assert r.status_code == 201, r.json
    page = open_page(council, phone=True, lang="fr")
    watch = checks.Watch(page, server.url)
    page.goto("/council/rules")
    card = page.locator("#weather-card")
    expect(card.locator("#weather-now")).to_contain_text(
        "Aucune condition connue : aucune règle météo ne s’applique.")
    expect(card.locator("#elevation")).to_contain_text(
        "Aucune source d’altitude n’est configurée : la règle de dénivelé n’est pas vérifiée.")

    form = card.locator("#weather-override")
    form.locator('[name="temperature_c"]').fill("99")
    form.locator('[name="reason"]').fill("Canicule, le modèle est en retard")
    form.locator("button.primary").click()
    expect(form.locator('.field-error[data-for="override.temperature_c"]')).to_be_visible()
    expect(page.locator("#weather-done")).to_have_text("")

    form.locator('[name="temperature_c"]').fill("38")
    form.locator("button.primary").click()
    expect(page.locator("#weather-done")).to_have_text("Les conditions sont fixées.")
    expect(card.locator("#weather-now")).to_contain_text("38")
    expect(card.locator("#weather-source")).to_contain_text("Fixées par Chloé jusqu’au")
    expect(card.locator("#weather-applying")).to_contain_text(
        "Forte chaleur (bloquer) : 38 °C, au-dessus de 32 °C, selon le conseil")
    assert checks.rule_keys(page) == []

    form.locator('[name="reason"]').fill("La source répond de nouveau")
    card.locator("#weather-end").click()
    expect(page.locator("#weather-done")).to_have_text("Retour à la source météo.")
    expect(card.locator("#weather-now")).to_contain_text("Aucune condition connue")
    expect(card.locator("#weather-end")).to_be_hidden()
    problems = [p for p in watch.take() if "422" not in p]  # the refused value's answer
    assert problems == [], problems
