"""Offers that reach a phone in a pocket, in Chromium: the switch subscribes the phone
(notifications allowed by the test), the server's real push (sent by the worker's sender
to a push service on loopback, decrypted there) is handed to the page's service worker
(CDP ServiceWorker.deliverPushMessage), which shows the offer; Accept tapped on the
notification answers once, Decline too, a withdrawal takes the offer away, a tap after a
withdrawal says the offer is no longer open, a tap on the notification opens the run
page. The page built for riding is tested in test_courier_riding.py."""

from __future__ import annotations

import base64
import json
import time
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from courier.extensions import db
from courier.journal import push_send, vapid
from courier.models import Event
from tests.browser.conftest import _require_chromium
from tests.browser.live_api import dispatch, post
from tests.conftest import base_config
from tests.live import LiveServer
from tests.push_service import PushService

LYON = {"latitude": 45.7660, "longitude": 4.8357}
NOTES = """navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => ns.map(
  (n) => ({title: n.title, body: n.body, tag: n.tag, kind: (n.data || {}).kind,
           actions: n.actions.map((a) => a.action), vibrate: Array.from(n.vibrate || [])})))"""


@pytest.fixture(scope="module")
def key_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("vapid") / "vapid_private.pem")
    vapid.ensure_keys(SimpleNamespace(config={"PUSH_VAPID_KEY_FILE": path}, instance_path=""))
    return path


@pytest.fixture(scope="module")
def server(database_url, key_file):
    """The live server with the coop's VAPID key, taking devices on loopback."""
    _require_chromium()
    srv = LiveServer(database_url, env={
        "COURIER_POSITION_INTERVAL": "1", "COURIER_OFFER_TTL": "120",
        "COURIER_PUSH_VAPID_KEY_FILE": key_file, "COURIER_PUSH_ALLOW_LOOPBACK": "true"}).start()
    yield srv
    srv.stop()


@pytest.fixture
def app_config(database_url, key_file):
    """The test's own app sends the pushes, as the worker would, with the same key."""
    return base_config(database_url, PUSH_ALLOW_LOOPBACK=True, PUSH_VAPID_KEY_FILE=key_file)


@pytest.fixture
def service():
    svc = PushService().start()
    yield svc
    svc.stop()


FAKE_PUSH_MANAGER = """(() => {
  const sub = SUBSCRIPTION;
  const key = Uint8Array.from(atob("SERVER_KEY"), (c) => c.charCodeAt(0));
  const made = () => ({
    endpoint: sub.endpoint, options: { applicationServerKey: key.buffer }, toJSON: () => sub,
    unsubscribe: async () => { localStorage.removeItem("test.push"); return true; },
  });
  PushManager.prototype.subscribe = async function () {
    localStorage.setItem("test.push", "1");
    return made();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem("test.push") ? made() : null;
  };
})();"""


def fake_push_manager(device) -> str:
    """Headless Chromium has no push service of its own: the browser's subscription is
    the loopback service's device (kept across pages as the browser would keep it)."""
    key = vapid.public_key(vapid.load())
    std = base64.b64encode(base64.urlsafe_b64decode(key + "=")).decode()
    return FAKE_PUSH_MANAGER.replace("SUBSCRIPTION", json.dumps(device.subscription())).replace(
        "SERVER_KEY", std)


def phone(open_page, actor, device=None):
    page = open_page(actor, geolocation=LYON, permissions=["geolocation", "notifications"])
    if device is not None:
        page.context.add_init_script(fake_push_manager(device))
    page.goto("/courier")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    return page


def deliver(page, server, payload: dict) -> None:
    """The push service hands the message to the browser: a push event in the worker."""
    cdp = page.context.new_cdp_session(page)
    regs = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda p: regs.extend(p["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_timeout(100)  # the registrations are reported right after enable
    reg = next(r for r in regs if not r["isDeleted"])
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": server.url + "/", "registrationId": reg["registrationId"],
        "data": json.dumps(payload)})


def notes(page, until=lambda ns: len(ns) == 1, timeout=15.0):
    """The notifications shown, once ``until`` holds of them."""
    deadline = time.monotonic() + timeout
    while True:
        shown = page.evaluate(NOTES)
        if until(shown) or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(100)


def tap(page, action, times=1):
    """Taps on the notification's ``action`` button, as the system dispatches them."""
    worker = page.context.service_workers[0]
    worker.evaluate("""async ([action, times]) => {
      const [n] = await self.registration.getNotifications();
      for (let i = 0; i < times; i += 1) {
        self.dispatchEvent(new NotificationEvent("notificationclick", {notification: n, action}));
      }
    }""", [action, times])


def sent(service, device, count):
    assert push_send.send_due() >= 1
    got = service.to(device)
    assert len(got) == count, [r.status for r in got]
    return got[-1].payload()


def test_the_switch_subscribes_the_phone_and_accept_on_the_notification_answers_once(
        open_page, server, service, make_merchant, make_courier, dispatcher, make_job, snap):
    shop, ana = make_merchant(), make_courier("Ana Lopez")
    device = service.device()
    page = phone(open_page, ana, device)
    switch = page.locator("#push-switch")
    expect(switch).to_have_attribute("data-state", "off")
    page.click("#push-toggle")
    expect(switch).to_have_attribute("data-state", "on")
    expect(page.locator("#push-note")).to_have_text(
        "Les propositions arrivent sur ce téléphone même appli fermée.")
    snap(page, "courier-push-switch")
    [mine] = ana.get("/push/devices").json["devices"]
    assert mine["service"] == "127.0.0.1" and "Chrome" in mine["label"]

    make_job(shop)
    run = dispatch(server, dispatcher)
    payload = sent(service, device, 1)
    page.goto("/account")  # the courier's page is not in front: the phone shows the offer
    expect(page.locator(f'#devices tr[data-device="{mine["id"]}"]')).to_be_visible()
    deliver(page, server, payload)
    [offer] = notes(page)
    assert offer["title"] == "Nouvelle proposition : 1 course"
    assert offer["actions"] == ["accept", "decline"] and offer["tag"] == f"run-{run['id']}"
    assert "pour répondre" in offer["body"]  # the time left, the figures, why
    assert " km · " in offer["body"] and " kg" in offer["body"]
    assert payload["reason"] in offer["body"]
    assert offer["vibrate"] == [400, 150, 400, 150, 700]

    tap(page, "accept", times=2)  # a tap twice: answered once
    [done] = notes(page, lambda ns: [n["kind"] for n in ns] == ["answered"])
    assert done["title"] == "Tournée acceptée : ouvrez-la pour voir vos arrêts."
    assert ana.get(f"/runs/{run['id']}").json["status"] == "accepted"
    tap(page, "")  # a tap on the notification: the app's page in front becomes the run's
    expect(page).to_have_url(f"{server.url}/courier")
    expect(page.locator("#run")).to_be_visible()  # the run is there, nothing refused
    expect(page.locator("#error")).to_be_hidden()
    accepted = db.session.scalar(select(func.count()).select_from(Event).where(
        Event.run_id == run["id"], Event.subject == "run", Event.action == "accepted"))
    assert accepted == 1
    expect(switch).to_have_attribute("data-state", "on")  # as this browser has it
    page.click("#push-toggle")  # off again: the phone is no longer notified
    expect(page.locator("#push-note")).to_have_text(
        "Ce téléphone n'est plus averti des propositions.")
    expect(switch).to_have_attribute("data-state", "off")
    assert ana.get("/push/devices").json["devices"] == []


def test_notifications_refused_by_the_courier_leave_the_switch_off_and_say_why(
        open_page, server, service, make_courier):
    ana = make_courier("Ana")
    device = service.device()
    page = open_page(ana, geolocation=LYON, permissions=["geolocation"])  # notifications: no
    page.context.add_init_script(fake_push_manager(device))
    page.goto("/courier")
    page.click("#push-toggle")
    expect(page.locator("#push-note")).to_have_text(
        "Les notifications sont bloquées pour ce site : autorisez-les dans les réglages de "
        "votre navigateur.")
    expect(page.locator("#push-switch")).to_have_attribute("data-state", "off")
    assert ana.get("/push/devices").json["devices"] == []


def test_a_withdrawn_offer_takes_its_notification_away(open_page, server, service,
                                                       make_merchant, make_courier, dispatcher,
                                                       make_job):
    shop, ana, ben = make_merchant(), make_courier("Ana"), make_courier("Ben", lat=45.77)
    device = service.device()
    assert ana.post("/push/devices", json=device.subscription()).status_code == 201
    page = phone(open_page, ana)
    run = post(server, dispatcher, f"/jobs/{make_job(shop)['id']}/assign",
               {"courier_id": ana.user.courier.id, "reason": "on her way"})
    page.goto("/account")
    deliver(page, server, sent(service, device, 1))
    assert [n["kind"] for n in notes(page)] == ["offer"]
    post(server, dispatcher, f"/runs/{run['id']}/reassign",
         {"courier_id": ben.user.courier.id, "reason": "closer"})
    withdrawal = sent(service, device, 2)
    assert withdrawal["kind"] == "withdrawn"
    deliver(page, server, withdrawal)
    shown = notes(page, lambda ns: [n["kind"] for n in ns] == ["withdrawn"])  # in its place
    assert [(n["title"], n["actions"]) for n in shown] == [("Proposition retirée", [])]


def test_accept_tapped_after_the_offer_was_withdrawn_says_it_is_no_longer_open(
        open_page, server, service, make_merchant, make_courier, dispatcher, make_job):
    shop, ana, ben = make_merchant(), make_courier("Ana"), make_courier("Ben", lat=45.77)
    device = service.device()
    assert ana.post("/push/devices", json=device.subscription()).status_code == 201
    page = phone(open_page, ana)
    run = post(server, dispatcher, f"/jobs/{make_job(shop)['id']}/assign",
               {"courier_id": ana.user.courier.id, "reason": "on her way"})
    page.goto("/account")
    deliver(page, server, sent(service, device, 1))
    post(server, dispatcher, f"/runs/{run['id']}/reassign",  # its withdrawal not yet here
         {"courier_id": ben.user.courier.id, "reason": "closer"})
    tap(page, "accept")
    [gone] = notes(page, lambda ns: [n["kind"] for n in ns] == ["gone"])
    assert gone["title"] == ("Cette proposition n'est plus ouverte : elle a expiré ou a "
                             "été retirée.")
    assert ana.get(f"/runs/{run['id']}").json["status"] == "cancelled"


def test_decline_on_the_notification_answers_once_and_leaves_nothing_shown(
        open_page, server, service, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    device = service.device()
    assert ana.post("/push/devices", json=device.subscription()).status_code == 201
    page = phone(open_page, ana)
    make_job(shop)
    run = dispatch(server, dispatcher)
    page.goto("/account")
    deliver(page, server, sent(service, device, 1))
    assert [n["kind"] for n in notes(page)] == ["offer"]
    tap(page, "decline", times=2)
    deadline = time.monotonic() + 15
    while ana.get(f"/runs/{run['id']}").json["status"] != "declined":
        assert time.monotonic() < deadline, "not declined from the notification"
        page.wait_for_timeout(100)
    assert notes(page, lambda ns: ns == []) == []
    declined = db.session.scalar(select(func.count()).select_from(Event).where(
        Event.run_id == run["id"], Event.subject == "run", Event.action == "declined"))
    assert declined == 1
