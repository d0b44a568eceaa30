"""Going off shift from the phone with work accepted is refused with the reason; an
emergency stop, with what happened, hands the work back to dispatch."""

from playwright.sync_api import expect

from tests.browser.live_api import dispatch
from tests.browser.test_courier import courier_page, go_on_shift


def test_going_off_shift_with_work_is_refused_then_an_emergency_stop_hands_it_back(
        open_page, server, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana", on_shift=False)
    page = courier_page(open_page, ana)
    go_on_shift(page)
    job = make_job(shop)
    dispatch(server, dispatcher)
    page.click("#accept")
    expect(page.locator("#run")).to_be_visible()
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")  # the server has it
    expect(page.locator("#emergency")).to_be_hidden()

    page.click("#shift")
    expect(page.locator("#error")).to_contain_text("vous avez du travail accepté")
    expect(page.locator("#shift")).to_have_attribute("data-online", "true")
    expect(page.locator("#emergency")).to_be_visible()

    page.fill("#emergency-reason", "chute, je rentre")
    page.click("#emergency-stop")
    expect(page.locator("#shift")).to_have_attribute("data-online", "false")
    expect(page.locator("#emergency")).to_be_hidden()
    assert dispatcher.get(f"/jobs/{job['id']}").json["status"] == "pending"
