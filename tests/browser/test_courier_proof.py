"""Proofs of delivery on the courier's phone, in a real browser on a phone's screen: a
photo filmed inside the page (Chromium's fake camera playing a file) and one from the
phone's camera app (a JPEG file given to the page's file input, as the camera app
does), a signature drawn on the screen with the finger (mouse drags), and a photo taken
offline that the queue carries and sends once the phone is back online."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from courier.extensions import db
from tests.browser.conftest import ARGS, CHROMIUM, COOP_TZ, PHONE, _require_chromium, login
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


CAMERA_COLOUR = (230, 120, 20)


@pytest.fixture(scope="module")
def camera_browser(browser, tmp_path_factory):
    """Chromium whose camera films a file: a parcel-coloured frame, 1920 x 1440."""
    frame = io.BytesIO()
    Image.new("RGB", (1920, 1440), CAMERA_COLOUR).save(frame, "JPEG", quality=95)
    film = tmp_path_factory.mktemp("camera") / "camera.mjpeg"
    film.write_bytes(frame.getvalue() * 3)
    filming = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        *ARGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={film}"])
    yield filming
    filming.close()


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


def test_a_photo_filmed_in_the_page_proves_a_delivery(camera_browser, server, make_merchant,
                                                      make_courier, dispatcher, make_job):
    shop, ana = make_merchant("Épicerie Rosa"), make_courier("Ana Lopez")
    job_id = carried(server, shop, ana, dispatcher, make_job, "photo")
    ctx = camera_browser.new_context(viewport=PHONE, locale="fr", timezone_id=COOP_TZ,
                                     base_url=server.url, geolocation=LYON,
                                     permissions=["geolocation", "camera"],
                                     service_workers="block")
    try:
        page = ctx.new_page()
        login(page, ana)
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        dropoff = page.locator(f'#run-stops li[data-kind="dropoff"][data-job="{job_id}"]')
        dropoff.locator('button[data-act="delivered"]').click()
        shutter = page.locator("#proof-shutter")
        expect(page.locator("#proof-video")).to_be_visible()  # the viewfinder, in the page
        expect(shutter).to_be_enabled()
        expect(page.locator("#proof-photo-label")).to_have_text(
            "Utiliser l’application appareil photo")  # the camera app stays at hand
        shutter.click()
        expect(page.locator("#proof-photo-preview")).to_be_visible()
        expect(page.locator("#proof-camera")).to_be_hidden()
        assert page.evaluate("document.getElementById('proof-video').srcObject") is None
        page.click("#proof-confirm")
        expect(page.locator("#proof-dialog")).to_be_hidden()
        expect(page.locator("#queue")).to_have_attribute("data-count", "0")
    finally:
        ctx.close()
    assert shop.get(f"/jobs/{job_id}").json["status"] == "delivered"
    (proof,) = shop.get(f"/jobs/{job_id}/proof").json["proofs"]
    image = requests.get(server.url + proof["url"], headers=shop.headers, timeout=30)
    kept = Image.open(io.BytesIO(image.content)).convert("RGB")
    assert kept.size == (1280, 960)  # the camera's 1920 x 1440 frame, resized on the phone
    mean = kept.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert all(abs(a - b) < 30 for a, b in zip(mean, CAMERA_COLOUR, strict=True)), mean


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
