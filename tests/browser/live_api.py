"""Calls to the live server's API (so that its live messages reach the browsers)."""

from __future__ import annotations

import requests


def post(server, actor, path, json=None):
    r = requests.post(server.url + "/api/v1" + path, json=json, headers=actor.headers, timeout=30)
    assert r.status_code in (200, 201), (path, r.status_code, r.text)
    return r.json()


def dispatch(server, dispatcher):
    res = post(server, dispatcher, "/dispatch")
    assert res["runs"], res
    return res["runs"][0]
