"""The recipient's tracking page in a real browser: status, window and the courier
on a map while the parcel is on the bike; the expected time moving live as the courier
rides, without a reload; then the link expires."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from courier.extensions import db
from courier.models import Job, utcnow
from tests.browser.conftest import COOP_TZ, _require_chromium
from tests.browser.live_api import dispatch, post
from tests.live import LiveServer


@pytest.fixture(scope="module")
def server(database_url):
    """The live server, working a run's ETAs out again on every position."""
    _require_chromium()
    srv = LiveServer(database_url, env={"COURIER_POSITION_INTERVAL": "1",
                                        "COURIER_OFFER_TTL": "120",
                                        "COURIER_ETA_REFRESH_S": "0"}).start()
    yield srv
    srv.stop()


def test_recipient_follows_the_job_and_the_link_expires(open_page, server, snap, make_merchant,
                                                        make_courier, make_job, dispatcher):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana Lopez")
    job = make_job(shop)
    path = "/t/" + job["tracking_url"].rsplit("/t/", 1)[1]
    page = open_page(lang="fr")
    page.goto(path)
    track = page.locator("#track")
    expect(track).to_have_attribute("data-status", "pending")
    expect(page.locator("#track-map")).to_be_hidden()

    run = dispatch(server, dispatcher)
    post(server, ana, f"/runs/{run['id']}/accept")
    post(server, ana, f"/jobs/{job['id']}/picked-up")
    post(server, ana, "/courier/position", {"lat": 45.7655, "lon": 4.8390})
    page.reload()
    expect(track).to_have_attribute("data-status", "picked_up")
    expect(page.locator("#track-courier")).to_have_text("Ana")
    expect(page.locator("#track-map")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Lopez")
    snap(page, "tracking")

    post(server, ana, f"/jobs/{job['id']}/delivered")
    page.reload()
    expect(track).to_have_attribute("data-status", "delivered")
    expect(page.locator("#track-expiry")).to_be_visible()

    row = db.session.get(Job, job["id"])
    row.delivered_at = utcnow() - timedelta(hours=3, minutes=1)
    db.session.commit()
    page.reload()
    expect(track).to_have_attribute("data-status", "expired")
    snap(page, "tracking-expired")


def _eta(server, shop, job_id) -> str:
    """The job's ETA as the API gives it, in the coop's time as the page writes it."""
    r = requests.get(f"{server.url}/api/v1/jobs/{job_id}", headers=shop.headers, timeout=30)
    return datetime.fromisoformat(r.json()["eta"]).astimezone(ZoneInfo(COOP_TZ)).strftime("%H:%M")


def test_the_expected_time_moves_live_and_a_delay_is_said_without_a_reload(
        open_page, server, snap, make_merchant, make_courier, make_job, dispatcher):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana Lopez")
    job = make_job(shop, minutes=25)
    page = open_page(lang="fr")
    page.goto("/t/" + job["tracking_url"].rsplit("/t/", 1)[1])
    track, eta = page.locator("#track"), page.locator("#track-eta")
    late = page.locator("#track-late")
    expect(track).to_have_attribute("data-live", "on")
    expect(eta).to_be_hidden()

    run = dispatch(server, dispatcher)
    post(server, ana, f"/runs/{run['id']}/accept")
    expect(track).to_have_attribute("data-status", "accepted")  # heard live, no reload
    expected = _eta(server, shop, job["id"])
    expect(eta).to_have_text(expected)
    expect(late).to_be_hidden()

    post(server, ana, "/courier/position", {"lat": 45.85, "lon": 4.84})  # she rode off
    later = _eta(server, shop, job["id"])
    assert later != expected
    expect(eta).to_have_text(later)
    expect(late).to_be_visible()  # 25 minutes are no longer enough
    expect(late).to_contain_text("retard")
    snap(page, "tracking-late")
