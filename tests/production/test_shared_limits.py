"""Login limits are shared by every web process through Redis."""

from __future__ import annotations

import re

import requests


def _login(session: requests.Session, url: str, email: str, password: str) -> int:
    page = session.get(url + "/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return session.post(url + "/login", data={"email": email, "password": password,
                                              "csrf_token": csrf},
                        allow_redirects=False, timeout=10).status_code


def test_failed_logins_on_one_process_count_on_the_others(webs, make_merchant):
    shop = make_merchant()
    a, b = webs
    for i in range(5):
        assert _login(requests.Session(), webs[i % 2].url, shop.user.email, "wrong") == 401
    assert _login(requests.Session(), a.url, shop.user.email, "secret") == 429
    assert _login(requests.Session(), b.url, shop.user.email, "secret") == 429
