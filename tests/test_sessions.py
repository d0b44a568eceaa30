"""Sessions end when they should: a copy of a page's session cookie is worth nothing
after logout (that session), a new password, a role change or "log out everywhere" (all
of them), on the pages, on the API's session path and on live connections; one's other
devices live on after a logout, and API tokens until revoked."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask.testing import FlaskClient

from courier.extensions import db, socketio
from courier.models import User
from tests.test_pages import csrf_of, login


def forget() -> None:
    """A test's requests share its app context, and so ``g``, where Flask-Login keeps the
    user it loaded and Flask-WTF the CSRF token: forget them, so that each request (or
    connection) of each browser finds its user from its own cookie, as in production."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


class Browser(FlaskClient):
    def open(self, *args, **kwargs):
        forget()
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _browsers(app):
    app.test_client_class = Browser  # (the app fixture puts it back)


def replay(app, cookie: str):
    """A second browser holding a copy of ``cookie`` (the ``session`` cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def page_socket(app, client):
    forget()
    return socketio.test_client(app, flask_test_client=client)


def _csrf(client):
    return csrf_of(client, "/account")


def test_a_copied_cookie_is_refused_after_logout_on_pages_and_the_api(app, client, make_courier):
    ana = make_courier("Ana")
    login(client, ana)
    cookie = client.get_cookie("session").value
    assert replay(app, cookie).get("/courier").status_code == 200
    assert replay(app, cookie).get("/api/v1/courier/me").status_code == 200
    assert client.post("/logout", data={"csrf_token": _csrf(client)}).status_code == 302
    thief = replay(app, cookie)
    page = thief.get("/courier")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert thief.get("/api/v1/courier/me").status_code == 401
    assert not page_socket(app, thief).is_connected()
    assert ana.get("/courier/me").status_code == 200  # the token lives on


def test_logout_disconnects_live_page_connections_but_not_token_ones(app, client, make_courier):
    ana = make_courier("Ana")
    login(client, ana)
    on_page, on_token = page_socket(app, client), ana.socket(app)
    assert on_page.is_connected() and on_token.is_connected()
    client.post("/logout", data={"csrf_token": _csrf(client)})
    assert not on_page.is_connected()
    assert on_token.is_connected()


def test_logout_ends_this_session_only(app, client, make_courier):
    ana = make_courier("Ana")
    phone = app.test_client()
    login(client, ana), login(phone, ana)
    cookie = client.get_cookie("session").value
    on_page, on_phone = page_socket(app, client), page_socket(app, phone)
    client.post("/logout", data={"csrf_token": _csrf(client)})
    assert replay(app, cookie).get("/courier").status_code == 302
    assert not on_page.is_connected()
    assert phone.get("/courier").status_code == 200  # the other device lives on
    assert on_phone.is_connected()
    login(client, ana)  # logging in again opens a session that works
    assert client.get("/courier").status_code == 200


def _sessions(client) -> list[tuple[str, bool]]:
    page = client.get("/account").get_data(as_text=True)
    return [(sid, bool(here)) for sid, here in
            re.findall(r'data-session="([^"]+)"( data-here="true")?', page)]


def test_the_account_page_lists_ones_devices_and_ends_one(app, client, make_courier):
    ana = make_courier("Ana")
    phone, laptop = app.test_client(), app.test_client()
    login(client, ana), login(phone, ana), login(laptop, ana)
    on_phone = page_socket(app, phone)
    listed = _sessions(client)
    assert len(listed) == 3 and sum(here for _, here in listed) == 1
    (phones,) = [sid for sid, here in _sessions(phone) if here]
    r = client.post(f"/account/sessions/{phones}/end", data={"csrf_token": _csrf(client)})
    assert r.status_code == 302 and "done=ended" in r.headers["Location"]
    assert phone.get("/courier").status_code == 302
    assert not on_phone.is_connected()
    assert client.get("/courier").status_code == 200 and laptop.get("/courier").status_code == 200
    assert len(_sessions(client)) == 2


def test_no_one_ends_someone_elses_session(app, client, make_courier):
    ana, bob = make_courier("Ana"), make_courier("Bob")
    bobs = app.test_client()
    login(client, ana), login(bobs, bob)
    (theirs,) = [sid for sid, _ in _sessions(bobs)]
    r = client.post(f"/account/sessions/{theirs}/end", data={"csrf_token": _csrf(client)})
    assert r.status_code == 404
    assert bobs.get("/courier").status_code == 200


def test_ending_this_devices_session_from_the_list_is_logging_out(app, client, make_courier):
    ana = make_courier("Ana")
    login(client, ana)
    ((mine, here),) = _sessions(client)
    assert here
    r = client.post(f"/account/sessions/{mine}/end", data={"csrf_token": _csrf(client)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert client.get("/courier").status_code == 302


def test_a_session_unused_past_the_idle_limit_has_ended(app, client, make_courier):
    from datetime import timedelta

    from sqlalchemy import update

    from courier.models import utcnow
    from courier.models.users import LoginSession

    ana = make_courier("Ana")
    login(client, ana)
    db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(days=29)))
    db.session.commit()
    assert client.get("/courier").status_code == 200  # and now seen again
    db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    assert client.get("/courier").status_code == 302


def test_when_a_session_was_last_used_is_noted_at_most_every_five_minutes(app, client,
                                                                         make_courier):
    from datetime import timedelta

    from sqlalchemy import select, update

    from courier.models import utcnow
    from courier.models.users import LoginSession

    ana = make_courier("Ana")
    login(client, ana)
    first = db.session.scalar(select(LoginSession.last_seen_at))
    client.get("/courier")
    db.session.expire_all()
    assert db.session.scalar(select(LoginSession.last_seen_at)) == first
    db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    client.get("/courier")
    db.session.expire_all()
    assert utcnow() - db.session.scalar(select(LoginSession.last_seen_at)) < timedelta(minutes=1)


def test_log_out_everywhere_from_the_account_page(app, client, make_courier):
    ana = make_courier("Ana")
    phone = app.test_client()
    login(client, ana), login(phone, ana)
    on_phone = page_socket(app, phone)
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/sessions/end"' in page
    r = client.post("/account/sessions/end", data={"csrf_token": _csrf(client)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert client.get("/courier").status_code == 302
    assert phone.get("/api/v1/courier/me").status_code == 401
    assert not on_phone.is_connected()


def _change_password(client, current, new, repeat=None):
    return client.post("/account/password", data={
        "csrf_token": _csrf(client), "current_password": current, "new_password": new,
        "repeat": new if repeat is None else repeat})


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, client, make_courier):
    ana = make_courier("Ana")
    phone = app.test_client()
    login(client, ana), login(phone, ana)
    before = client.get_cookie("session").value
    on_phone = page_socket(app, phone)
    r = _change_password(client, "secret", "a much longer one")
    assert r.status_code == 302 and "done=password" in r.headers["Location"]
    assert client.get("/courier").status_code == 200  # still logged in here
    assert phone.get("/courier").status_code == 302
    assert not on_phone.is_connected()
    assert replay(app, before).get("/api/v1/courier/me").status_code == 401
    fresh = app.test_client()
    r = fresh.post("/login", data={"email": ana.user.email, "password": "a much longer one",
                                   "csrf_token": csrf_of(fresh)})
    assert r.status_code == 302


def test_a_wrong_current_password_changes_and_ends_nothing(app, client, make_courier):
    ana = make_courier("Ana")
    login(client, ana)
    cookie = client.get_cookie("session").value
    wrong = _change_password(client, "not it", "a much longer one")
    assert wrong.status_code == 422
    assert "not your current password" in wrong.get_data(as_text=True) or (
        "mot de passe actuel" in wrong.get_data(as_text=True))
    assert _change_password(client, "secret", "short").status_code == 422
    assert _change_password(client, "secret", "long enough", "other one").status_code == 422
    assert replay(app, cookie).get("/courier").status_code == 200


def test_the_council_changing_a_role_or_removing_a_member_ends_their_sessions(
        app, client, make_courier, make_user):
    council = make_user("council", "Carla")
    ana = make_courier("Ana", on_shift=False)
    login(client, ana)
    on_page = page_socket(app, client)
    r = council.client.patch(f"/api/v1/members/{ana.id}", json={"role": "dispatcher"},
                             headers=council.headers)
    assert r.status_code == 200 and r.json["role"] == "dispatcher", r.json
    assert client.get("/courier").status_code == 302
    assert not on_page.is_connected()
    login(client, ana)  # now a dispatcher
    assert client.get("/dispatch").status_code == 200
    r = council.client.patch(f"/api/v1/members/{ana.id}", json={"active": False},
                             headers=council.headers)
    assert r.status_code == 200 and r.json["active"] is False
    assert client.get("/dispatch").status_code == 302
    assert ana.get("/courier/me").status_code == 401  # a member who left: tokens too


def test_what_the_council_may_not_do_to_members(app, make_courier, make_user, make_merchant):
    council = make_user("council", "Carla")
    busy, shop = make_courier("Bob"), make_merchant()

    def patch(who, body):
        return council.client.patch(f"/api/v1/members/{who.id}", json=body,
                                    headers=council.headers)

    assert patch(busy, {"role": "council"}).status_code == 409  # on shift
    assert patch(shop, {"role": "courier"}).status_code == 409  # a shop is no member
    assert patch(council, {"active": False}).status_code == 409  # the last council member
    assert patch(council, {"role": "merchant"}).status_code == 422
    assert patch(council, {}).status_code == 422
    assert db.session.get(User, council.id).session_generation == 0


def test_the_account_page_lists_and_revokes_ones_tokens(app, client, make_merchant):
    shop, other = make_merchant(), make_merchant()
    login(client, shop)
    page = client.get("/account").get_data(as_text=True)
    (token_id,) = re.findall(r'data-token="(\d+)"', page)
    mine = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": _csrf(client)})
    assert mine.status_code == 302
    assert shop.get("/jobs").status_code == 401
    assert "revoked" in client.get("/account?done=revoked").get_data(as_text=True).lower() or (
        "révoqué" in client.get("/account").get_data(as_text=True))
    theirs = other.user.tokens[0].id
    r = client.post(f"/account/tokens/{theirs}/revoke", data={"csrf_token": _csrf(client)})
    assert r.status_code == 404
    assert other.get("/jobs").status_code == 200


@pytest.mark.parametrize("generation", [None, 0], ids=["no generation", "no session id"])
def test_a_session_of_an_older_release_has_ended(app, client, make_courier, generation):
    ana = make_courier("Ana")
    with client.session_transaction() as session:  # the cookie of an older release
        session["_user_id"], session["_fresh"] = str(ana.id), True
        if generation is not None:
            session["_generation"] = generation
    assert client.get("/courier").status_code == 302
    assert client.get("/api/v1/courier/me").status_code == 401


def _statements(call) -> list[str]:
    from sqlalchemy import event

    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


def test_a_page_request_reads_its_user_and_its_session_in_one_statement(app, client,
                                                                        make_courier):
    ana = make_courier("Ana")
    login(client, ana)
    seen = _statements(lambda: client.get("/api/v1/courier/me"))
    users = [s for s in seen if re.search(r"\bFROM users\b", s)]
    assert len(users) == 1 and "login_sessions" in users[0], users
    assert not any("UPDATE login_sessions" in s for s in seen)  # seen under 5 minutes ago


def test_a_token_request_reads_no_session_and_no_more_rows(app, client, make_courier):
    """Tokens do not use sessions: the generation costs the token path nothing, even when
    the request also carries a session cookie."""
    from sqlalchemy import event

    ana = make_courier("Ana")
    login(client, ana)
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        r = client.get("/api/v1/courier/me", headers=ana.headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert r.status_code == 200
    users = [s for s in seen if re.search(r"\bFROM users\b", s)]
    assert len(users) == 1 and "api_tokens" in users[0], users


def test_logout_holds_when_the_list_of_connections_is_unreachable(app, client, make_courier,
                                                                  monkeypatch):
    """Redis down: the sessions end all the same, and this process's page connections
    close; only other processes' connections wait for the queue to come back."""
    from redis import Redis

    from courier.web import sockets

    nowhere = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    monkeypatch.setattr(sockets, "_shared", lambda: nowhere)
    ana = make_courier("Ana")
    login(client, ana)
    cookie = client.get_cookie("session").value
    on_page = page_socket(app, client)
    assert on_page.is_connected()
    assert client.post("/logout", data={"csrf_token": _csrf(client)}).status_code == 302
    assert not on_page.is_connected()
    assert replay(app, cookie).get("/api/v1/courier/me").status_code == 401
