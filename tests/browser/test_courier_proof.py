"""Proofs of delivery on the courier's phone, in a real browser on a phone's screen: a
photo from the camera (a JPEG file given to the page's file input, as a phone's camera
does), a signature drawn on the screen with the finger (mouse drags), and a photo taken
offline that the queue carries and sends once the phone is back online."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from courier.extensions import db
from tests.browser.conftest import _require_chromium
from tests.browser.live_api import post
from tests.live import LiveServer

LYON = {"latitude": 45.7660, "longitude": 4.8357}


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    _require_chromium()
    srv = LiveServer(database_url, env={
        "COURIER_POSITION_INTERVAL": "1", "COURIER_OFFER_TTL": "120",
        "COURIER_PROOF_DIR": str(tmp_path_factory.mktemp("proofs"))}).start()
    yield srv
    srv.stop()


def camera_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (180, 90, 40)).save(out, "JPEG", quality=90)
    return out.getvalue()


def carried(server, shop, ana, dispatcher, make_job, rule):
    r = shop._call("put", "/shop/proof-policy", json={"required": rule})
    assert r.status_code == 200, r.json
    job = make_job(shop)
    run = post(server, dispatcher, f"/jobs/{job['id']}/assign",
               {"courier_id": ana.user.courier.id, "reason": "proof"})
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    assert ana.post(f"/jobs/{job['id']}/picked-up").status_code == 200
    return job["id"]


def courier_page(open_page, ana, job_id):
    page = open_page(ana, geolocation=LYON, permissions=["geolocation"],
                     service_workers="block")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    dropoff = page.locator(f'#run-stops li[data-kind="dropoff"][data-job="{job_id}"]')
    expect(dropoff).to_have_attribute("data-status", "picked_up")
    return page, dropoff


def test_a_photo_from_the_camera_proves_a_delivery(open_page, server, make_merchant,
                                                   make_courier, dispatcher, make_job, snap):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana Lopez")
    job_id = carried(server, shop, ana, dispatcher, make_job, "photo")
    page, dropoff = courier_page(open_page, ana, job_id)

    dropoff.locator('button[data-act="delivered"]').click()
    dialog = page.locator("#proof-dialog")
    expect(dialog).to_be_visible()
    page.click("#proof-confirm")  # no photo yet: said next to the button, nothing sent
    expect(dialog.locator('.field-error[data-for="photo"]')).to_be_visible()
    assert shop.get(f"/jobs/{job_id}").json["status"] == "picked_up"

    page.set_input_files("#proof-photo-input", files=[{
        "name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])
    expect(page.locator("#proof-photo-preview")).to_be_visible()
    snap(page, "courier-proof-photo")
    page.click("#proof-confirm")
    expect(dialog).to_be_hidden()
    expect(page.locator("#idle")).to_be_visible()
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    assert shop.get(f"/jobs/{job_id}").json["status"] == "delivered"
    (proof,) = shop.get(f"/jobs/{job_id}/proof").json["proofs"]
    image = requests.get(server.url + proof["url"], headers=shop.headers, timeout=30)
    assert image.headers["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(image.content)).size) == 1280  # resized on the phone


def test_the_recipient_signs_on_the_screen(open_page, server, make_merchant, make_courier,
                                           dispatcher, make_job, snap):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id = carried(server, shop, ana, dispatcher, make_job, "signature")
    page, dropoff = courier_page(open_page, ana, job_id)

    dropoff.locator('button[data-act="delivered"]').click()
    expect(page.locator("#proof-canvas")).to_be_visible()
    page.click("#proof-confirm")  # not signed: refused on the phone
    expect(page.locator('.field-error[data-for="signature"]')).to_be_visible()

    box = page.locator("#proof-canvas").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 20, box["y"] + box["height"] * (0.7 - (i % 3) * 0.2))
    page.mouse.up()
    snap(page, "courier-proof-signature")
    page.click("#proof-confirm")
    expect(page.locator("#proof-dialog")).to_be_hidden()
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    assert shop.get(f"/jobs/{job_id}").json["status"] == "delivered"
    (proof,) = shop.get(f"/jobs/{job_id}/proof").json["proofs"]
    assert proof["kind"] == "signature" and proof["content_type"] == "image/png"


def test_a_photo_taken_offline_is_sent_with_the_delivery_once_back(open_page, server,
                                                                    make_merchant, make_courier,
                                                                    dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id = carried(server, shop, ana, dispatcher, make_job, "photo")
    page, dropoff = courier_page(open_page, ana, job_id)

    page.context.set_offline(True)
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    dropoff.locator('button[data-act="delivered"]').click()
    page.set_input_files("#proof-photo-input", files=[{
        "name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])
    expect(page.locator("#proof-photo-preview")).to_be_visible()
    page.click("#proof-confirm")
    expect(page.locator("#queue")).to_have_attribute("data-count", "1")
    expect(page.locator("#idle")).to_be_visible()  # shown as done at once
    assert shop.get(f"/jobs/{job_id}").json["status"] == "picked_up"

    page.context.set_offline(False)
    expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    assert shop.get(f"/jobs/{job_id}").json["status"] == "delivered"
    assert [p["kind"] for p in shop.get(f"/jobs/{job_id}/proof").json["proofs"]] == ["photo"]


def test_the_shop_chooses_its_proof_and_sees_each_deliverys_proof(open_page, server,
                                                                   make_merchant, make_courier,
                                                                   dispatcher, make_job, snap):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana")
    page = open_page(shop, phone=False)
    page.select_option("#proof-policy-form select[name=required]", "code")
    page.click("#proof-policy-form button")
    expect(page.locator("#proof-policy-saved")).to_be_visible()
    assert shop.get("/shop/proof-policy").json["required"] == "code"

    job_id = carried(server, shop, ana, dispatcher, make_job, "photo")
    requests.post(f"{server.url}/api/v1/jobs/{job_id}/delivered", headers=ana.headers,
                  files={"photo": ("door.jpg", camera_jpeg(), "image/jpeg")},
                  timeout=30).raise_for_status()
    page.reload()
    page.click(f'#jobs tr[data-id="{job_id}"] [data-proof]')
    view = page.locator("#proof-view")
    expect(view.locator("img")).to_be_visible()
    expect(view.locator("img")).to_have_js_property("naturalWidth", 1600)
    snap(page, "shop-proof")


def test_the_council_shows_and_erases_a_recipients_data(open_page, server, make_user,
                                                        make_merchant, make_courier, dispatcher,
                                                        make_job):
    council, shop, ana = make_user("council"), make_merchant(), make_courier("Ana")
    job_id = carried(server, shop, ana, dispatcher, make_job, "none")
    assert ana.post(f"/jobs/{job_id}/delivered").status_code == 200
    page = open_page(council, phone=True)
    page.goto("/council/privacy")
    expect(page.locator("#retention-form input[name=days]")).to_have_value("30")
    page.fill("#request-form input[name=phone]", "06 00 00 00 00")
    page.click('#request-form button[value="see"]')
    expect(page.locator("#request-result")).to_contain_text("Rita")
    page.on("dialog", lambda d: d.accept())
    page.click('#request-form button[value="erase"]')
    expect(page.locator("#request-result .notice")).to_be_visible()
    db.session.expire_all()  # erased by the live server
    assert shop.get(f"/jobs/{job_id}").json["recipient"]["name"] == ""
