"""Limits at the door, through gunicorn as deploy/ runs it: a long address reaches the app
and gets its 414 (JSON on the API, the app's page elsewhere); only a request line over
gunicorn's own 8 KB gets gunicorn's answer; a method an address does not take is 405 with
its ``Allow`` header."""

from __future__ import annotations

import requests


def test_a_long_address_is_the_apps_own_414(webs):
    web = webs[0]
    r = requests.get(web.url + "/api/v1/jobs?q=" + "x" * 6000, timeout=10)
    assert r.status_code == 414 and r.headers["Content-Type"] == "application/json"
    assert r.json()["fields"] == {"_url": "over 4096 characters"}
    r = requests.get(web.url + "/open-data?q=" + "x" * 6000, timeout=10)
    assert r.status_code == 414 and r.headers["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in r.headers  # the app's page, not gunicorn's


def test_only_a_request_line_over_8_kb_is_gunicorns(webs):
    r = requests.get(webs[0].url + "/api/v1/jobs?q=" + "x" * 8200, timeout=10)
    assert r.status_code in (400, 414)  # gunicorn's; documented in docs/security.md
    assert "Content-Security-Policy" not in r.headers


def test_trace_is_405_with_allow(webs):
    r = requests.request("TRACE", webs[0].url + "/api/v1/jobs", timeout=10)
    assert r.status_code == 405 and r.json()["fields"] == {}
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["Allow"].split(",")}
