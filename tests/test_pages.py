"""Pages: login, one page per role, and the CSRF check on session API calls."""

import re

import pytest


def csrf_of(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def login(client, actor):
    r = client.post("/login", data={"email": actor.user.email, "password": "secret",
                                    "csrf_token": csrf_of(client)})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r


def test_wrong_password_is_refused(client, make_merchant):
    shop = make_merchant()
    r = client.post("/login", data={"email": shop.user.email, "password": "nope",
                                    "csrf_token": csrf_of(client)})
    assert r.status_code == 401
    assert "Wrong email or password" in r.get_data(as_text=True) or "mot de passe incorrect" in (
        r.get_data(as_text=True))


def test_login_without_csrf_token_is_refused(client, make_merchant):
    shop = make_merchant()
    r = client.post("/login", data={"email": shop.user.email, "password": "secret"})
    assert r.status_code == 400


@pytest.mark.parametrize("role, page", [("merchant", "/shop"), ("courier", "/courier"),
                                        ("dispatcher", "/dispatch")])
def test_each_role_lands_on_its_page(client, make_user, role, page):
    actor = make_user(role, lat=45.76, lon=4.83) if role != "dispatcher" else make_user(role)
    r = login(client, actor)
    assert r.headers["Location"].endswith(page)
    assert client.get(page).status_code == 200


def test_pages_of_other_roles_are_forbidden(client, make_courier):
    login(client, make_courier())
    assert client.get("/shop").status_code == 403
    assert client.get("/dispatch").status_code == 403


def test_pages_need_login(client):
    r = client.get("/courier")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_session_api_call_needs_the_csrf_header(client, make_merchant):
    shop = make_merchant()
    login(client, shop)
    body = {"dropoff": {"lat": 45.75, "lon": 4.85}}
    r = client.post("/api/v1/jobs", json=body)
    assert r.status_code == 400 and "CSRF" in r.json["error"]
    token = csrf_of(client, "/shop")
    r = client.post("/api/v1/jobs", json=body, headers={"X-CSRFToken": token})
    assert r.status_code == 201
    assert client.get("/api/v1/jobs").json["total"] == 1


def test_static_files_and_vendored_socketio_are_served(client):
    for path in ("/static/js/app.js", "/static/vendor/socket.io/socket.io.min.js"):
        with client.get(path) as r:
            assert r.status_code == 200 and len(r.get_data()) > 1000
