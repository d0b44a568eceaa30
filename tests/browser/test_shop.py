"""The shop's dashboard in a real browser: the form reports bad input next to the
field in the shopkeeper's language; a job submitted from the map appears in the list
and its status changes live as dispatch and the courier move it."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import COOP_TZ, DESKTOP, TIMEOUT_MS, login
from tests.browser.live_api import dispatch, post
from tests.live import LiveServer
from tests.shops.http import LocalServer


def test_shopkeeper_submits_a_job_and_sees_its_status_change_live(open_page, server, snap,
                                                                  make_merchant, make_courier,
                                                                  dispatcher):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana")
    login_page = open_page()
    login_page.goto("/login")
    snap(login_page, "login")

    page = open_page(shop, phone=False, lang="fr")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    page.fill('[name="weight_kg"]', "2000")
    page.click("#submit-job")
    lat_error = page.locator('.field-error[data-for="dropoff.lat"]')
    expect(lat_error).to_be_visible()
    expect(page.locator('.field-error[data-for="weight_kg"]')).to_have_text(
        "doit être entre 0 et 1000")
    expect(page.locator('[name="dropoff.lat"]')).to_have_attribute("aria-invalid", "true")
    snap(page, "shop-form-errors")

    page.fill('[name="weight_kg"]', "3")
    page.fill('[name="dropoff.address"]', "12 rue Mercière")
    page.locator("#pick-map").click(position={"x": 260, "y": 60})  # tap the drop-off
    expect(page.locator('[name="dropoff.lat"]')).not_to_have_value("")
    page.fill('[name="recipient.name"]', "Rita")
    page.click("#submit-job")
    expect(lat_error).to_have_count(0)
    row = page.locator("#jobs tr").first
    expect(row).to_have_attribute("data-status", "pending")
    link = row.locator(".track-link")
    expect(link).to_have_attribute("href", re.compile(r"/t/[\w-]{32}$"))
    job_id = int(row.get_attribute("data-id"))

    run = dispatch(server, dispatcher)
    expect(row).to_have_attribute("data-status", "offered")
    post(server, ana, f"/runs/{run['id']}/accept")
    expect(row).to_have_attribute("data-status", "accepted")
    expect(row.locator("td:nth-child(4)")).to_have_text("Ana")
    post(server, ana, f"/jobs/{job_id}/picked-up")
    expect(row).to_have_attribute("data-status", "picked_up")
    expect(row.locator("td:nth-child(6)")).not_to_have_text("")  # planned drop-off time
    snap(page, "shop")


def test_shop_books_a_slot_sees_the_price_first_and_imports_a_csv_file(open_page, make_merchant,
                                                                        tmp_path, snap):
    shop = make_merchant("Épicerie Rosa")
    every_day = {d: [["00:00", "23:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                    "sun")}
    r = shop._call("put", "/slots/schedule", json={"slot_minutes": 60, "min_notice_minutes": 0,
                                                    "days_ahead": 1, "opening_hours": every_day})
    assert r.status_code == 200, r.json
    page = open_page(shop, phone=False, lang="fr")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    slot = page.locator('select[name="slot"]')
    expect(slot).to_be_visible()
    chosen = slot.locator("option").last.get_attribute("value")
    slot.select_option(chosen)
    expect(page.locator("#times")).to_be_hidden()  # the slot gives the times
    page.locator("#pick-map").click(position={"x": 260, "y": 60})
    quote = page.locator("#quote")
    expect(quote).to_have_attribute("data-state", "ok")
    expect(quote).to_contain_text("Dans la zone desservie")
    expect(quote.locator(".price")).to_contain_text("€")
    page.click("#submit-job")
    expect(page.locator("#jobs tr")).to_have_count(1)
    assert shop.get("/jobs").json["jobs"][0]["slot"] == chosen

    bad = tmp_path / "orders.csv"
    bad.write_text("dropoff_lat,dropoff_lon,weight_kg,recipient_name\n"
                   "45.77,4.84,2,Rita\n45.77,abc,2,Sam\n", encoding="utf-8")
    form = page.locator("#import-form")
    form.locator('input[type="file"]').set_input_files(str(bad))
    form.locator("button").click()
    report = page.locator("#import-report")
    expect(report.locator('tr[data-row="3"]')).to_contain_text("Nombre invalide.")
    expect(report).to_contain_text("rien n'a été importé")
    snap(page, "shop-import")

    good = tmp_path / "fixed.csv"
    good.write_text("dropoff_lat,dropoff_lon,weight_kg,recipient_name\n"
                    "45.77,4.84,2,Rita\n45.771,4.842,2,Sam\n", encoding="utf-8")
    form.locator('input[type="file"]').set_input_files(str(good))
    form.locator("button").click()
    expect(report).to_contain_text("2 course(s) créée(s)")
    expect(page.locator("#jobs tr")).to_have_count(3)


def test_address_search_places_the_drop_off_on_the_map(browser, database_url, make_merchant):
    """With a geocoder configured (here a local stand-in answering like Nominatim)."""
    house = {"lat": "45.758", "lon": "4.832", "display_name": "12 Rue Mercière, Lyon",
             "class": "building", "type": "yes", "addresstype": "building"}

    def answer(req):
        found = req.path == "/search" and "merci" in req.query.get("q", "").lower()
        return 200, [house] if found else []

    shop = make_merchant("Épicerie Rosa")
    with LocalServer(answer) as geo:
        srv = LiveServer(database_url, env={"COURIER_GEOCODER": "nominatim",
                                            "COURIER_GEOCODER_URL": geo.url,
                                            "COURIER_GEOCODER_MIN_DELAY": "0"}).start()
        ctx = browser.new_context(viewport=DESKTOP, locale="fr", base_url=srv.url,
                                  timezone_id=COOP_TZ,
                                  extra_http_headers={"Accept-Language": "fr"})
        try:
            ctx.set_default_timeout(TIMEOUT_MS)
            page = ctx.new_page()
            login(page, shop)
            form = page.locator("#job-form")
            form.locator('[name="dropoff.address"]').fill("nulle part")
            page.click("#geocode")
            expect(form.locator('fieldset[data-field="dropoff"] .field-error')).to_have_count(1)
            form.locator('[name="dropoff.address"]').fill("12 rue Mercière, Lyon")
            page.click("#geocode")
            expect(form.locator('[name="dropoff.lat"]')).to_have_value("45.758000")
            expect(form.locator('[name="dropoff.lon"]')).to_have_value("4.832000")
            expect(page.locator("#quote")).to_have_attribute("data-state", "ok")
            expect(form.locator(".field-error")).to_have_count(0)
        finally:
            ctx.close()
            srv.stop()


def test_times_are_the_coops_on_a_device_set_to_another_time_zone(open_page, make_merchant,
                                                                  make_job):
    shop = make_merchant("Épicerie Rosa")
    job = make_job(shop)
    page = open_page(shop, phone=False, lang="fr", timezone_id="America/New_York")
    by = datetime.fromisoformat(job["deliver_by"]).astimezone(ZoneInfo(COOP_TZ))
    assert by.utcoffset() != datetime.now(ZoneInfo("America/New_York")).utcoffset()
    row = page.locator(f'#jobs tr[data-id="{job["id"]}"]')
    expect(row.locator("td:nth-child(7)")).to_have_text(re.compile(rf"{by:%H:%M}$"))
