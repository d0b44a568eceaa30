"""The recipient's tracking page in a real browser: status, window and the courier
on a map while the parcel is on the bike; then the link expires."""

from datetime import timedelta

from playwright.sync_api import expect

from courier.extensions import db
from courier.models import Job, utcnow
from tests.browser.live_api import dispatch, post


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
