"""The dispatch board in a real browser: a courier's position moves on it live; a
cycle run from the board makes an offer with its countdown; the offer is moved to
another courier, the reason being required."""

import re

from playwright.sync_api import expect

from tests.browser.test_courier import LYON, courier_page


def test_dispatcher_sees_a_courier_move_and_moves_an_offer(open_page, server, snap, make_merchant,
                                                           make_courier, make_job, dispatcher):
    shop = make_merchant()
    ana, bob = make_courier("Ana"), make_courier("Bob", lat=45.75, lon=4.85)
    make_job(shop)
    board = open_page(dispatcher, phone=False)
    expect(board.locator("#conn")).to_have_attribute("data-state", "online")
    ana_row = board.locator(f'#couriers li[data-courier="{ana.user.courier.id}"]')
    expect(ana_row).to_have_attribute("data-state", "free")

    phone = courier_page(open_page, ana)  # already on shift: shares its position
    expect(ana_row).to_have_attribute("data-lat", str(LYON["latitude"]))
    phone.context.set_geolocation({"latitude": 45.7712, "longitude": 4.8421})
    expect(ana_row).to_have_attribute("data-lat", "45.7712")
    expect(ana_row.locator(".pos")).to_have_text("45,77120 ; 4,84210")

    board.click("#run-cycle")
    offer = board.locator("#offers li").first
    expect(offer.locator(".countdown")).to_contain_text("s")
    expect(offer.locator(".muted.small")).to_contain_text(  # the server's reason, in French
        re.compile(r"^proposée à (Ana|Bob) : .* sur 15 kg ; 1 course, .* km en vélo ; règles v1"))
    expect(board.locator("#unassigned-count")).to_have_text("0")
    snap(board, "dispatch")

    offer.locator("[data-move-run]").click()
    form = board.locator("#override-form")
    form.locator('select[name="courier_id"]').select_option(str(bob.user.courier.id))
    form.locator("#override-submit").click()
    expect(form.locator('.field-error[data-for="reason"]')).to_be_visible()
    form.locator('textarea[name="reason"]').fill("Ana has a flat tyre")
    form.locator("#override-submit").click()
    expect(board.locator("#override-dialog")).to_be_hidden()
    expect(board.locator("#offers li")).to_have_count(1)
    expect(board.locator("#offers li b").first).to_have_text("Bob")
    expect(board.locator("#offers li .muted.small").first).to_have_text(
        re.compile(r"^attribuée à Bob par .+ : Ana has a flat tyre$"))


def test_reasons_for_jobs_left_over_read_in_french(open_page, make_merchant, make_job,
                                                   dispatcher):
    make_job(make_merchant())
    board = open_page(dispatcher, phone=False)
    expect(board.locator("#conn")).to_have_attribute("data-state", "online")  # page ready
    with board.expect_response(lambda r: r.url.endswith("/api/v1/dispatch")
                               and r.request.method == "POST" and r.ok):
        board.click("#run-cycle")
    expect(board.locator("#unassigned-count")).to_have_text("1")
    expect(board.locator("#unassigned li .reason")).to_have_text(
        "non attribuée : aucun·e coursier·e en service (règles v1)")
    english = open_page(dispatcher, phone=False, lang="en")
    expect(english.locator("#unassigned li .reason")).to_have_text(
        "not assigned: no courier on shift (rules v1)")
