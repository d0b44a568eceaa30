"""A shop's recurring jobs page in a real browser: a weekday schedule created from the
form lists its next dates at 18:00 in the coop's time, a rule the coop refuses is said
next to the rule, a schedule whose drop-off lies outside the zones next to the address;
the schedule is paused, resumed and deleted from its card."""

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import COOP_TZ


def test_a_shop_keeps_a_weekday_schedule_from_its_page(open_page, server, make_merchant,
                                                       dispatcher, snap):
    shop = make_merchant("Épicerie Rosa")
    lyon = [[[4.7, 45.7], [5.0, 45.7], [5.0, 45.85], [4.7, 45.85], [4.7, 45.7]]]
    assert dispatcher.post("/zones", json={"name": "Lyon", "geometry": {
        "type": "Polygon", "coordinates": lyon}}).status_code == 201
    page = open_page(shop, phone=True)
    page.goto("/shop/schedules")
    form = page.locator("#schedule-form")
    today = datetime.now(ZoneInfo(COOP_TZ)).date().isoformat()
    expect(form.locator("[name=day]")).to_have_value(today)  # the coop's today

    form.locator("[name=name]").fill("Tournée du soir")
    form.locator("[name=address]").fill("Paris")
    form.locator("[name=lat]").fill("48,85")
    form.locator("[name=lon]").fill("2,35")
    form.locator("[name=recipient]").fill("Rita")
    form.locator("#save").click()  # outside the coop's zones: said at the address
    expect(form.locator('.field-error[data-for="address"]')).to_be_visible()
    assert shop.get("/schedules").json == {"schedules": []}

    form.locator("[name=lat]").fill("45,774")
    form.locator("[name=lon]").fill("4,846")
    form.locator("[name=preset]").select_option("")
    form.locator("[name=rrule]").fill("FREQ=HOURLY")  # 24 jobs a day, over the coop's cap
    form.locator("#save").click()
    expect(form.locator('.field-error[data-for="rrule"]')).to_contain_text("12")
    expect(form.locator('.field-error[data-for="address"]')).to_have_count(0)

    form.locator("[name=preset]").select_option("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
    form.locator("#save").click()
    card = page.locator("#schedules [data-schedule]")
    expect(card).to_have_count(1)
    expect(card.locator("b")).to_have_text("Tournée du soir")
    expect(card.locator("ul li")).to_have_count(5)
    expect(card.locator("ul li").first).to_contain_text("18:00")
    expect(form.locator(".field-error")).to_have_count(0)
    (made,) = shop.get("/schedules").json["schedules"]
    assert made["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" and made["starts"].endswith(
        "T18:00:00")
    assert made["job"]["recipient"]["name"] == "Rita"
    snap(page, "shop-schedules")

    card.locator('button[data-act="pause"]').click()
    expect(card.locator(".pill")).to_be_visible()
    assert shop.get(f"/schedules/{made['id']}").json["paused"] is True
    card.locator('button[data-act="resume"]').click()
    expect(card.locator(".pill")).to_have_count(0)
    assert shop.get(f"/schedules/{made['id']}").json["paused"] is False
    page.on("dialog", lambda d: d.accept())
    card.locator('button[data-act="delete"]').click()
    expect(page.locator("#schedules [data-schedule]")).to_have_count(0)
    assert shop.get("/schedules").json == {"schedules": []}
