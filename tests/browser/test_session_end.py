"""A session ended elsewhere ends on every open page: logging out on one phone sends the
courier's page on the other device to the login page, live."""

import re

from playwright.sync_api import expect

from tests.browser.test_courier import courier_page


def test_logging_out_on_one_device_sends_the_other_page_to_login(open_page, make_courier):
    ana = make_courier("Ana", on_shift=False)
    first = courier_page(open_page, ana)
    second = courier_page(open_page, ana)
    second.locator("form[action='/logout'] button").click()
    expect(second).to_have_url(re.compile(r"/login"))
    expect(first).to_have_url(re.compile(r"/login"), timeout=10_000)
