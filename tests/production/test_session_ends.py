"""Logging out on one web process disconnects the page's live connection held by another
(the message queue carries the disconnection); a token's connection stays."""

from __future__ import annotations

import re
import threading

import requests
import socketio as sio

from tests.production.test_cluster import listen


def _log_in(url: str, email: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    page = browser.get(url + "/login", timeout=10).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = browser.post(url + "/login", data={"email": email, "password": "secret",
                                           "csrf_token": csrf},
                     allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    return browser, csrf


def test_logout_on_one_process_disconnects_the_page_on_another(webs, make_courier):
    a, b = webs
    ana = make_courier("Ana")
    browser, csrf = _log_in(a.url, ana.user.email)
    cookie = f"session={browser.cookies.get('session')}"
    page = sio.Client(reconnection=False)
    gone = threading.Event()
    page.on("disconnect", lambda *args: gone.set())
    page.connect(b.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
    token_sock, _ = listen(b.url, ana.token, "hello")
    try:
        assert page.connected and token_sock.connected
        r = browser.post(a.url + "/logout", data={"csrf_token": csrf}, allow_redirects=False,
                         timeout=10)
        assert r.status_code == 302
        assert gone.wait(10), b.log()
        assert token_sock.connected
        replayed = requests.get(b.url + "/api/v1/courier/me", headers={"Cookie": cookie},
                                timeout=10)
        assert replayed.status_code == 401
    finally:
        page.disconnect()
        token_sock.disconnect()
