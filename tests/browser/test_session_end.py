"""A session ended elsewhere ends on every open page: "log out everywhere" on one device,
or ending another device's session from the account page, sends the courier's page on
that other device to the login page, live; logging out ends this device's session only."""

import re

from playwright.sync_api import expect

from tests.browser.test_courier import courier_page


def test_logging_out_everywhere_on_one_device_sends_the_other_page_to_login(open_page,
                                                                           make_courier):
    ana = make_courier("Ana", on_shift=False)
    first = courier_page(open_page, ana)
    second = courier_page(open_page, ana)
    second.goto("/account")
    second.click("#end-sessions")
    expect(second).to_have_url(re.compile(r"/login"))
    expect(first).to_have_url(re.compile(r"/login"), timeout=10_000)


def test_ending_another_devices_session_sends_its_page_to_login(open_page, make_courier):
    ana = make_courier("Ana", on_shift=False)
    first = courier_page(open_page, ana)
    second = courier_page(open_page, ana)
    tab = first.context.new_page()  # the first device's own session, as its account shows
    tab.goto("/account")
    firsts = tab.locator("#sessions li[data-here]").get_attribute("data-session")
    tab.close()
    second.goto("/account")
    expect(second.locator("#sessions li")).to_have_count(2)
    second.locator(f"#sessions li[data-session='{firsts}'] button").click()
    expect(second).to_have_url(re.compile(r"done=ended"))
    expect(second.locator("#sessions li")).to_have_count(1)
    expect(first).to_have_url(re.compile(r"/login"), timeout=10_000)


def test_logging_out_leaves_the_other_devices_page_logged_in(open_page, make_courier):
    ana = make_courier("Ana", on_shift=False)
    first = courier_page(open_page, ana)
    second = courier_page(open_page, ana)
    second.locator("form[action='/logout'] button").click()
    expect(second).to_have_url(re.compile(r"/login"))
    first.reload()
    expect(first).to_have_url(re.compile(r"/courier"))
