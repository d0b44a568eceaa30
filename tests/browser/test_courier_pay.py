"""Money where it is earned, on the courier's phone: each offer says what the run pays
(the API's estimate, in the reader's language), and a run that ends says "+x €"."""

from playwright.sync_api import expect

from tests.browser.live_api import dispatch, post
from tests.browser.test_courier import courier_page


def test_offer_shows_its_pay_and_the_end_of_the_run_what_it_earned(
        open_page, server, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    page = courier_page(open_page, ana)
    job = make_job(shop)
    run = dispatch(server, dispatcher)
    cents = run["estimated_pay_cents"]
    assert cents > 0
    pay = page.evaluate("(c) => money(c)", cents)
    expect(page.locator("#offer-pay")).to_have_text(f"+{pay} pour cette tournée")
    expect(page.locator("#offer-pay-box")).to_contain_text("les heures de service sont payées")

    with page.expect_response(lambda r: r.url.endswith("/accept") and r.ok):
        page.click("#accept")  # the answer is in before the courier rides
    expect(page.locator("#run")).to_be_visible()
    post(server, ana, f"/jobs/{job['id']}/picked-up")
    post(server, ana, f"/jobs/{job['id']}/delivered")
    earned = ana.get(f"/runs/{run['id']}").json["estimated_pay_cents"]  # as it was ridden
    expect(page.locator("#earned")).to_be_visible()
    expect(page.locator("#earned")).to_have_text(
        f"Tournée terminée : +{page.evaluate('(c) => money(c)', earned)}")
