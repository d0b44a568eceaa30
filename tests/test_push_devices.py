"""A courier's devices notified of offers: subscribed from the phone, listed and removed on
the member's page; bad subscriptions are refused naming the field; the key comes from
`courier init`, never from the repository."""

from __future__ import annotations

import pytest

from courier.extensions import db
from courier.journal import vapid
from courier.models import PushSubscription
from tests.conftest import base_config
from tests.push_service import PushService
from tests.test_pages import csrf_of, login


@pytest.fixture(scope="session")
def key_file(tmp_path_factory):
    return str(tmp_path_factory.mktemp("vapid") / "vapid_private.pem")


@pytest.fixture
def app_config(database_url, key_file):
    return base_config(database_url, PUSH_VAPID_KEY_FILE=key_file, PUSH_MAX_DEVICES=3)


@pytest.fixture
def keyed(app):
    vapid.ensure_keys()


@pytest.fixture(scope="module")
def browsers():
    """Subscriptions as browsers make them (only their keys are used here)."""
    svc = PushService()
    yield svc
    svc.server.server_close()


def subscription(browsers, endpoint="https://fcm.googleapis.com/fcm/send/abc123"):
    return {**browsers.device().subscription(), "endpoint": endpoint}


def test_the_page_gets_the_servers_public_key(keyed, make_courier):
    r = make_courier().get("/push/key")
    assert r.status_code == 200 and r.json["enabled"] is True
    assert r.json["public_key"] == vapid.public_key(vapid.load())


def test_without_a_key_push_is_off_and_a_device_is_refused(app, make_courier, browsers,
                                                          key_file):
    ana = make_courier()
    app.config["PUSH_VAPID_KEY_FILE"] = key_file + ".missing"
    assert ana.get("/push/key").json == {"enabled": False, "public_key": None}
    r = ana.post("/push/devices", json=subscription(browsers))
    assert r.status_code == 409 and "endpoint" in r.json["fields"]
    assert db.session.query(PushSubscription).count() == 0


def test_a_courier_subscribes_a_device_and_the_same_browser_again_updates_it(
        keyed, make_courier, browsers):
    ana = make_courier()
    body = subscription(browsers)
    first = ana.post("/push/devices", json=body, headers={
        "User-Agent": "Mozilla/5.0 (Linux; Android 14) Gecko/20100101 Firefox/128.0"})
    assert first.status_code == 201, first.json
    assert first.json["label"] == "Firefox · Android"
    assert first.json["service"] == "fcm.googleapis.com"
    renewed = {**subscription(browsers), "endpoint": body["endpoint"]}  # new keys
    again = ana.post("/push/devices", json=renewed)
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    [device] = ana.get("/push/devices").json["devices"]
    assert device["id"] == first.json["id"]
    assert db.session.get(PushSubscription, device["id"]).p256dh == renewed["keys"]["p256dh"]


def test_a_phone_handed_to_another_courier_notifies_the_one_logged_in(keyed, make_courier,
                                                                      browsers):
    ana, ben = make_courier("Ana"), make_courier("Ben")
    body = subscription(browsers)
    assert ana.post("/push/devices", json=body).status_code == 201
    assert ben.post("/push/devices", json=body).status_code == 201
    assert ana.get("/push/devices").json["devices"] == []
    assert len(ben.get("/push/devices").json["devices"]) == 1


def test_only_couriers_subscribe_and_nobody_removes_anothers_device(
        keyed, make_courier, make_merchant, browsers):
    ana, ben, shop = make_courier("Ana"), make_courier("Ben"), make_merchant()
    assert shop.post("/push/devices", json=subscription(browsers)).status_code == 403
    device = ana.post("/push/devices", json=subscription(browsers)).json
    r = ben.client.delete(f"/api/v1/push/devices/{device['id']}", headers=ben.headers)
    assert r.status_code == 404 and r.json["fields"] == {"device_id": device["id"]}
    r = ana.client.delete("/api/v1/push/devices/99999999999", headers=ana.headers)
    assert r.status_code == 404  # beyond any id, no database error
    r = ana.client.delete(f"/api/v1/push/devices/{device['id']}", headers=ana.headers)
    assert r.status_code == 204
    assert ana.get("/push/devices").json["devices"] == []


BAD = {
    "not a URL": ({"endpoint": "push service"}, "endpoint"),
    "not https": ({"endpoint": "http://push.example.org/send/1"}, "endpoint"),
    "loopback outside tests": ({"endpoint": "https://127.0.0.1/send/1"}, "endpoint"),
    "http loopback outside tests": ({"endpoint": "http://127.0.0.1:8123/push/1"}, "endpoint"),
    "localhost": ({"endpoint": "https://localhost/push/1"}, "endpoint"),
    "private network": ({"endpoint": "https://10.1.2.3/send/1"}, "endpoint"),
    "credentials": ({"endpoint": "https://user:pw@push.example.org/1"}, "endpoint"),
    "too long": ({"endpoint": "https://push.example.org/" + "a" * 1100}, "endpoint"),
    "no keys": ({"keys": None}, "keys"),
    "key not base64url": ({"keys": {"p256dh": "not base64!", "auth": "CZZPTdtAvgLdCtZkqWWtzQ"}},
                          "keys.p256dh"),
    "key too short": ({"keys": {"p256dh": "BBVBsdpbLS5a", "auth": "CZZPTdtAvgLdCtZkqWWtzQ"}},
                      "keys.p256dh"),
    "key off the curve": ({"keys": {"p256dh": "BA" + "A" * 85, "auth": "CZZPTdtAvgLdCtZkqWWtzQ"}},
                          "keys.p256dh"),
    "secret of 8 bytes": ({"keys": {"auth": "CZZPTdtAvgI"}}, "keys.auth"),
    "unknown field": ({"browser": "firefox"}, "browser"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_subscription_is_refused_naming_the_field(case, keyed, make_courier, browsers):
    change, field = BAD[case]
    body = subscription(browsers)
    for k, v in change.items():
        body[k] = {**body[k], **v} if isinstance(v, dict) and k == "keys" else v
    r = make_courier().post("/push/devices", json=body)
    assert r.status_code == 422, (case, r.status_code, r.json)
    assert field in r.json["fields"], (case, r.json)
    assert db.session.query(PushSubscription).count() == 0


def test_more_than_a_handful_of_devices_is_refused_naming_the_field(keyed, make_courier,
                                                                   browsers):
    ana = make_courier()
    for n in range(3):
        assert ana.post("/push/devices", json=subscription(
            browsers, f"https://fcm.googleapis.com/fcm/send/{n}")).status_code == 201
    r = ana.post("/push/devices", json=subscription(browsers))
    assert r.status_code == 422 and "3 devices" in r.json["fields"]["endpoint"]


def test_the_members_page_lists_devices_and_removes_one(keyed, client, make_courier, browsers):
    ana = make_courier()
    phone = ana.post("/push/devices", json=subscription(browsers), headers={
        "User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36"}).json
    tablet = ana.post("/push/devices", json=subscription(
        browsers, "https://updates.push.services.mozilla.com/wpush/v2/x")).json
    login(client, ana)
    html = client.get("/account").get_data(as_text=True)
    assert f'data-device="{phone["id"]}"' in html and f'data-device="{tablet["id"]}"' in html
    assert "Chrome · Android" in html and "Appareils avertis des propositions" in html
    r = client.post(f"/account/devices/{phone['id']}/remove", data={"csrf_token": csrf_of(client)})
    assert r.status_code == 302
    assert [d["id"] for d in ana.get("/push/devices").json["devices"]] == [tablet["id"]]
    r = client.post(f"/account/devices/{phone['id']}/remove", data={"csrf_token": csrf_of(client)})
    assert r.status_code == 404


def test_courier_init_writes_the_key_into_the_instance_folder_once(app, runner, tmp_path,
                                                                 make_courier):
    from courier.config import ROOT

    app.config["PUSH_VAPID_KEY_FILE"] = None  # the default: the instance folder
    app.instance_path = str(tmp_path / "instance")
    path = tmp_path / "instance" / vapid.FILE
    result = runner.invoke(args=["init", "--name", "Coop", "--city", "Lyon", "--center",
                                 "45.76,4.84", "--council-name", "Carla", "--council-email",
                                 "carla@coop.example", "--council-password", "a long secret"])
    assert result.exit_code == 0, result.output
    assert f"Web Push key for offers to couriers' phones: {path}; keep it" in result.output
    assert path.stat().st_mode & 0o077 == 0  # the owner's only
    assert not str(path).startswith(str(ROOT))  # never in the repository
    served = make_courier().get("/push/key").json
    assert served == {"enabled": True, "public_key": vapid.public_key(vapid.load())}
    pem = path.read_bytes()
    assert vapid.ensure_keys() == (path, False)  # kept, never replaced
    assert path.read_bytes() == pem
