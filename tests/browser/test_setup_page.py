"""The council's set-up page in a real browser: the coop's legal details for invoices are
filled in a form (no API call by hand), saved in green, and the checklist marks the step
done."""

from playwright.sync_api import expect


def test_council_fills_the_legal_details_for_invoices_on_the_setup_page(open_page, make_user):
    council = make_user("council", "Clara")
    page = open_page(council, phone=True, lang="fr")
    page.goto("/setup")
    step = page.locator('li[data-key="legal"]')
    expect(step).to_have_attribute("data-done", "false")
    form = page.locator("#legal-form")
    form.locator('[name="legal_name"]').fill("Coursiers Lyonnais SCIC")
    form.locator('[name="legal_address"]').fill("3 rue de la Charité\n69002 Lyon")
    form.locator('[name="registration_id"]').fill("RCS Lyon 901 234 567")
    form.locator('[name="vat_id"]').fill("FR12901234567")
    form.locator("button[type=submit]").click()
    expect(page.locator("#legal-saved")).to_have_text("Enregistré.")
    coop = council.get("/coop").json
    assert (coop["legal_name"], coop["legal_address"], coop["registration_id"],
            coop["vat_id"]) == ("Coursiers Lyonnais SCIC", "3 rue de la Charité\n69002 Lyon",
                                "RCS Lyon 901 234 567", "FR12901234567")
    page.reload()
    expect(step).to_have_attribute("data-done", "true")
    expect(form.locator('[name="legal_name"]')).to_have_value("Coursiers Lyonnais SCIC")
