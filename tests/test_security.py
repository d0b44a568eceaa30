"""Security around the API and the pages: tokens and their scopes, login rate limits,
cookies and headers, Socket.IO rooms, and no secret in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from courier import create_app
from courier.extensions import socketio
from courier.web.security import storage_uri
from tests.test_sockets import _csrf, received

ROOT = Path(__file__).resolve().parents[1]


def login(client, email, password):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": _csrf(client)})


# --- tokens ----------------------------------------------------------------------------

def test_a_new_token_is_shown_once_and_listed_without_its_secret(make_merchant):
    shop = make_merchant()
    r = shop.post("/tokens", json={"name": "e-shop plugin", "scopes": ["jobs:write"]})
    assert r.status_code == 201, r.json
    secret = r.json["token"]
    assert secret.startswith("ck_") and r.json["scopes"] == ["jobs:write"]
    listed = shop.get("/tokens").json["tokens"]
    assert [t["name"] for t in listed] == ["", "e-shop plugin"]
    assert secret not in str(listed) and all("token" not in t for t in listed)


def test_a_scoped_token_does_only_what_its_scopes_say(make_merchant, make_job, client):
    shop = make_merchant()
    make_job(shop)
    secret = shop.post("/tokens", json={"name": "reader", "scopes": ["jobs:read"]}).json["token"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    r = client.post("/api/v1/jobs", headers=headers, json={"dropoff": {"lat": 45, "lon": 4}})
    assert r.status_code == 403 and r.json["fields"] == {"scope": "jobs:write"}


def test_scopes_narrow_a_role_and_never_widen_it(make_merchant, client):
    shop = make_merchant()
    secret = shop.post("/tokens", json={"name": "x", "scopes": ["dispatch"]}).json["token"]
    r = client.post("/api/v1/dispatch", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 403 and "role" in r.json["error"]


def test_a_token_cannot_grant_more_than_it_has(make_merchant, client):
    shop = make_merchant()
    secret = shop.post("/tokens", json={"name": "t", "scopes": ["tokens", "jobs:read"]}).json[
        "token"]
    headers = {"Authorization": f"Bearer {secret}"}
    r = client.post("/api/v1/tokens", headers=headers, json={"name": "y", "scopes": ["*"]})
    assert r.status_code == 422 and "scopes" in r.json["fields"]
    r = client.post("/api/v1/tokens", headers=headers, json={"name": "y", "scopes": ["jobs"]})
    assert r.status_code == 422
    r = client.post("/api/v1/tokens", headers=headers, json={"name": "y", "scopes": ["jobs:read"]})
    assert r.status_code == 201


@pytest.mark.parametrize("scopes", [[], ["jobs:delete"], ["JOBS"], ["a b"], [""]])
def test_malformed_scopes_are_refused_naming_the_field(make_merchant, scopes):
    r = make_merchant().post("/tokens", json={"name": "x", "scopes": scopes})
    assert r.status_code == 422 and "scopes" in str(r.json["fields"])


def test_a_revoked_token_stops_working_at_once(make_merchant, client):
    shop = make_merchant()
    made = shop.post("/tokens", json={"name": "old"}).json
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    r = shop.post(f"/tokens/{made['id']}/revoke")
    assert r.status_code == 200 and r.json["revoked_at"]
    assert client.get("/api/v1/jobs", headers=headers).status_code == 401
    assert socketio.test_client(client.application, auth={"token": made["token"]}) \
        .is_connected() is False


def test_a_token_notes_when_it_was_last_used_at_most_every_five_minutes(make_merchant,
                                                                          client):
    shop = make_merchant()
    made = shop.post("/tokens", json={"name": "plugin"}).json
    headers = {"Authorization": f"Bearer {made['token']}"}

    def last_used():
        return next(t["last_used_at"] for t in shop.get("/tokens").json["tokens"]
                    if t["id"] == made["id"])

    assert last_used() is None
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    assert last_used() == first  # not rewritten on every call


def test_someone_elses_token_cannot_be_revoked_or_seen(make_merchant):
    a, b = make_merchant(), make_merchant()
    theirs = b.post("/tokens", json={"name": "b's"}).json
    assert a.post(f"/tokens/{theirs['id']}/revoke").status_code == 404
    assert "b's" not in str(a.get("/tokens").json)
    assert b.get("/tokens").status_code == 200


def test_a_logged_in_page_manages_tokens_with_its_csrf_token(client, make_merchant):
    shop = make_merchant()
    assert login(client, shop.user.email, "secret").status_code == 302
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 400  # no CSRF
    r = client.post("/api/v1/tokens", json={"name": "x", "scopes": ["*"]},
                    headers={"X-CSRFToken": _csrf(client)})
    assert r.status_code == 201, r.json


# --- login, cookies, headers ---------------------------------------------------------------

def test_failed_logins_are_limited_per_account(client, make_merchant):
    shop = make_merchant()
    for _ in range(5):
        assert login(client, shop.user.email, "wrong").status_code == 401
    r = login(client, shop.user.email, "secret")
    assert r.status_code == 429, "even the right password waits once the account is locked"
    assert login(client, "someone@else.coop", "wrong").status_code == 401


def test_successful_logins_do_not_count(client, make_merchant):
    shop = make_merchant()
    for _ in range(8):
        assert login(client, shop.user.email, "secret").status_code == 302
        client.post("/logout", data={"csrf_token": _csrf(client)})


def test_failed_logins_are_limited_per_client_address(client, make_merchant):
    for i in range(10):
        assert login(client, f"guess{i}@x.coop", "wrong").status_code == 401
    assert login(client, "another@x.coop", "wrong").status_code == 429


def test_only_the_login_form_goes_through_the_rate_limiter(app):
    from courier.web.security import _not_limited

    with app.test_request_context("/login", method="POST"):
        assert not _not_limited()
    for path in ("/api/v1/jobs", "/api/v1/openapi.json", "/"):
        with app.test_request_context(path, method="POST"):
            assert _not_limited(), path


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path, database_url):
    from tests.conftest import base_config

    app = create_app(base_config(database_url, ENV="production", SECRET_KEY="s" * 40))
    client = app.test_client()
    client.get("/login")
    cookie = next(c for c in client._cookies.values() if c.key == "session")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    from courier.extensions import db

    with app.app_context():
        db.engine.dispose()


def test_answers_carry_security_headers(client):
    r = client.get("/login")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_rate_limits_live_in_redis_when_configured():
    assert storage_uri({"SOCKETIO_MESSAGE_QUEUE": "redis://h:6379/0"}) == "redis://h:6379/0"
    assert storage_uri({"SOCKETIO_MESSAGE_QUEUE": "redis://h/0",
                        "RATELIMIT_STORAGE_URI": "redis://other/2"}) == "redis://other/2"
    assert storage_uri({}) == "memory://"


# --- Socket.IO rooms -----------------------------------------------------------------------

KNOWN_SOCKET_HANDLERS = {"connect", "disconnect"}  # disconnect joins nothing: it forgets


def test_socket_handlers_are_only_the_reviewed_ones(app):
    """Rooms are joined on connect only, from the proven identity. A new handler must be
    checked to let nobody into someone else's room, then added here."""
    handlers = set(socketio.server.handlers.get("/", {}))
    assert handlers <= KNOWN_SOCKET_HANDLERS, f"unreviewed Socket.IO handlers: {handlers}"


def test_a_client_cannot_join_another_users_room(app, make_merchant, make_job):
    a, b = make_merchant(), make_merchant()
    sock = a.socket(app)
    for event in ("join", "join_room", "enter_room", "subscribe"):
        for room in (f"user:{b.id}", "dispatch"):
            sock.emit(event, {"room": room})
            sock.emit(event, room)
    sock.get_received()
    make_job(b)
    assert received(sock, "job.updated") == []


def test_a_courier_connecting_gets_their_current_runs(app, make_merchant, make_courier,
                                                     make_job, dispatcher):
    shop, xena = make_merchant(), make_courier("Xena")
    job = make_job(shop)
    run = dispatcher.post(f"/jobs/{job['id']}/assign",
                          json={"courier_id": xena.user.courier.id, "reason": "t"}).json
    (current,) = received(xena.socket(app), "runs.current")
    assert [r["id"] for r in current["runs"]] == [run["id"]]
    assert received(shop.socket(app), "runs.current") == []


# --- secrets -------------------------------------------------------------------------------

SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bck_[A-Za-z0-9_-]{40,}"),  # an API token of ours
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"(?i)^[ \t]*(COURIER_)?SECRET_KEY[ \t]*[=:][ \t]*['\"]?[A-Za-z0-9+/_-]{16,}", re.M),
    re.compile(r"postgres(ql)?(\+\w+)?://[^:/\s]+:[^@\s]+@"),  # a URL with a password
]


def test_no_secret_is_committed():
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    found = []
    for name in files:
        path = ROOT / name
        if path.suffix in {".png", ".jpg", ".ico", ".woff", ".woff2"} or not path.is_file():
            continue
        if path.name in {".env", "config.py"} and "instance" in path.parts:
            found.append(f"{name}: local configuration committed")
        text = path.read_text(errors="ignore")
        found += [f"{name}: {p.pattern}" for p in SECRET_PATTERNS if p.search(text)]
    assert found == []
