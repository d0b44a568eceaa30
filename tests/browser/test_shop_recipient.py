"""What a shop tells the coop about a recipient from its dashboard's form, as its API
takes it: an e-mail address for the messages, the language they read, and the code they
give the courier at the door. Bad values are named next to their field."""

from playwright.sync_api import expect

from courier.extensions import db
from courier.models import Job


def test_a_shop_gives_the_recipients_email_language_and_code_from_its_form(
        open_page, server, make_merchant):
    shop = make_merchant("Épicerie Rosa")
    page = open_page(shop, phone=False, lang="fr")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    page.fill('[name="dropoff.lat"]', "45.7640")
    page.fill('[name="dropoff.lon"]', "4.8357")
    page.fill('[name="recipient.name"]', "Rita")
    page.fill('[name="recipient.email"]', "rita@")
    page.fill('[name="recipient.code"]', "12")
    page.select_option('[name="recipient.language"]', "en")
    page.click("#submit-job")
    expect(page.locator('.field-error[data-for="recipient.email"]')).to_have_text(
        "Adresse e-mail non valable.")
    expect(page.locator('.field-error[data-for="recipient.code"]')).to_have_text(
        "4 à 12 chiffres")
    assert db.session.query(Job).count() == 0  # nothing is kept from a refused form

    page.fill('[name="recipient.email"]', "rita@example.org")
    page.fill('[name="recipient.code"]', "4321")
    page.click("#submit-job")
    row = page.locator("#jobs tr").first
    expect(row).to_have_attribute("data-status", "pending")
    db.session.expire_all()
    job = db.session.get(Job, int(row.get_attribute("data-id")))
    assert (job.recipient_name, job.recipient_email, job.recipient_lang,
            job.recipient_code) == ("Rita", "rita@example.org", "en", "4321")
