"""The courier's break from their phone page: started and ended there, refused with the
server's reason in the page's language, and no Accept button while on a break."""

from playwright.sync_api import expect

from tests.browser.live_api import dispatch, post
from tests.browser.test_courier import courier_page, go_on_shift


def test_break_started_and_ended_from_the_phone_hides_accept_meanwhile(
        open_page, server, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana", on_shift=False)
    page = courier_page(open_page, ana)
    expect(page.locator("#break")).to_be_hidden()  # off shift: nothing to pause
    go_on_shift(page)
    make_job(shop)
    dispatch(server, dispatcher)
    expect(page.locator("#offer")).to_be_visible()
    expect(page.locator("#accept")).to_be_visible()

    page.click("#break")
    expect(page.locator("#break")).to_have_attribute("data-on-break", "true")
    expect(page.locator("#break")).to_have_text("Terminer la pause")
    expect(page.locator("#break-note")).to_contain_text("En pause depuis")
    expect(page.locator("#accept")).to_be_hidden()
    expect(page.locator("#offer-break")).to_be_visible()
    assert ana.get(f"/time?courier={ana.user.courier.id}&since=2000-01-01T00:00:00Z"
                   ).json["on_break"] is True

    page.reload()  # the break is the server's, not the page's memory
    expect(page.locator("#break")).to_have_attribute("data-on-break", "true")
    expect(page.locator("#accept")).to_be_hidden()

    page.click("#break")
    expect(page.locator("#break")).to_have_attribute("data-on-break", "false")
    expect(page.locator("#break")).to_have_text("Commencer une pause")
    expect(page.locator("#accept")).to_be_visible()
    page.click("#accept")
    expect(page.locator("#run")).to_be_visible()


def test_a_break_refused_says_why_on_the_page(open_page, server, make_courier):
    ana = make_courier("Ana", on_shift=False)
    page = courier_page(open_page, ana)
    go_on_shift(page)
    post(server, ana, "/courier/shift", {"online": False})  # from another device
    page.click("#break")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_contain_text("une pause se prend en service")
    expect(page.locator("#shift")).to_have_attribute("data-online", "false")  # the page caught up
    expect(page.locator("#break")).to_be_hidden()
