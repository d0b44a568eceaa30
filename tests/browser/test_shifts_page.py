"""The shift calendar on a phone, in French: a member signs up for a slot, and is refused
the next one of the same day with the council's rule in words; dispatch publishes a slot
from the page, in the coop's hours whatever the device's zone, and a slot that ends before
it starts is refused at its field."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser import checks
from tests.browser.conftest import COOP_TZ


def _day(days: int) -> datetime:
    local = datetime.now(ZoneInfo(COOP_TZ)).date() + timedelta(days=days)
    return datetime.combine(local, time(0), ZoneInfo(COOP_TZ))


def _publish(dispatcher, start: datetime, hours: int) -> int:
    r = dispatcher.post("/shifts/slots", json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat(),
        "vehicle": "bike", "riders": 2})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_a_member_signs_up_and_is_refused_a_second_slot_with_the_reason_in_french(
        open_page, make_user, server, snap):
    dispatcher = make_user("dispatcher", "Dana Répartition")
    lea = make_user("courier", "Léa Moreau", lat=45.76, lon=4.83, vehicle="bike")
    day = _day(2)
    morning = _publish(dispatcher, day + timedelta(hours=6), 6)
    evening = _publish(dispatcher, day + timedelta(hours=13), 6)
    page = open_page(lea, phone=True, lang="fr")
    page.goto(f"/shifts?week={day.date().isoformat()}")

    first = page.locator(f'article[data-slot="{morning}"]')
    first.get_by_role("button", name="S'inscrire").click()
    expect(first.get_by_role("status")).to_have_text("Inscrit.")
    expect(first.locator(".signups")).to_contain_text("vous")
    expect(first.locator(".signups")).to_contain_text("roule")

    second = page.locator(f'article[data-slot="{evening}"]')
    second.get_by_role("button", name="S'inscrire").click()
    refusal = second.get_by_role("alert")
    expect(refusal).to_contain_text("pas ce créneau selon règles v1")
    expect(refusal).to_contain_text(
        "Temps de travail maximal par jour : 12 h de travail ce jour-là, 10 h au plus par jour")
    expect(second.locator(".signups")).to_have_count(0)  # nobody signed up
    assert not checks.too_wide(page)
    assert checks.english_left(page) == []
    snap(page, "shifts-refused")


def test_dispatch_publishes_a_slot_and_one_ending_before_it_starts_is_refused_at_its_field(
        open_page, make_user, server):
    dispatcher = make_user("dispatcher", "Dana Répartition")
    # a device set to another zone: the hours typed and shown are the coop's
    page = open_page(dispatcher, phone=True, lang="fr", timezone_id="America/New_York")
    day = _day(3).date().isoformat()
    page.goto(f"/shifts?week={day}")
    form = page.locator("#publish")
    form.locator('input[name="day"]').fill(day)
    form.locator('input[name="from"]').fill("14:00")
    form.locator('input[name="to"]').fill("12:00")
    form.get_by_role("button", name="Publier").click()
    expect(form.locator('.field-error[data-for="ends_at"]')).to_have_text(
        "doit être après le début")

    form.locator('input[name="to"]').fill("17:00")
    form.get_by_role("button", name="Publier").click()
    expect(page.locator("article.slot")).to_have_count(1)
    expect(page.locator("article.slot h3")).to_contain_text("14:00–17:00 · vélo")
    expect(page.locator("article.slot")).to_contain_text("0 coursier(s) sur 2")
