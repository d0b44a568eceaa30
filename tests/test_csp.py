"""The Content-Security-Policy: what every answer carries, where map tiles may come from,
and no template or script that would need the policy loosened. The browser walk
(tests/browser/test_every_page.py) fails on any violation a page reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from courier import create_app
from courier.web.csp import page_policy, tile_sources
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "courier/templates").rglob("*.html"))
SCRIPTS = sorted((ROOT / "static/js").rglob("*.js"))


def directives(header: str) -> dict[str, list[str]]:
    parts = (p.split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_pages_run_only_the_apps_own_scripts_and_styles(client):
    for path in ("/login", "/open-data", "/no-such-page", "/static/css/app.css"):
        r = client.get(path)
        r.close()
        policy = directives(r.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["default-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


def test_live_connections_go_back_to_the_app_only(client):
    policy = directives(client.get("/login").headers["Content-Security-Policy"])
    assert policy["connect-src"] == ["'self'", "ws://localhost", "wss://localhost"]


def test_a_forged_host_never_reaches_the_policy(client):
    r = client.get("/login", headers={"Host": "evil; script-src *"})
    assert directives(r.headers["Content-Security-Policy"])["connect-src"] == ["'self'"]


def test_api_answers_allow_nothing(client):
    r = client.get("/api/v1/courier/me")
    assert r.status_code == 401
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize(("tile_url", "sources"), [
    (None, []),
    ("/tiles/{z}/{x}/{y}.png", []),  # the app's own: 'self' covers it
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
    ("https://{s}.tiles.example:8443/{z}/{x}/{y}.png?key=k", ["https://*.tiles.example:8443"]),
])
def test_map_tiles_are_allowed_from_their_host_only(tile_url, sources):
    assert tile_sources({"TILE_URL": tile_url}) == sources
    images = directives(page_policy({"TILE_URL": tile_url}))["img-src"]
    assert images == ["'self'", "data:", "blob:", *sources]


def test_the_tiles_sources_can_be_set_explicitly():
    config = {"TILE_URL": "https://{r}.maps.example/{z}/{x}/{y}.png",
              "CSP_TILE_SOURCES": "https://a.maps.example https://b.maps.example"}
    assert tile_sources(config) == ["https://a.maps.example", "https://b.maps.example"]


def test_a_tile_host_the_policy_cannot_name_stops_the_start(database_url):
    config = base_config(database_url, TILE_URL="https://maps-{r}.example/{z}/{x}/{y}.png")
    with pytest.raises(RuntimeError, match="CSP_TILE_SOURCES"):
        create_app(config)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_no_inline_script_or_style(template):
    text = template.read_text()
    for pattern, what in ((INLINE_SCRIPT, "an inline <script> (use a file in static/js)"),
                          (INLINE_STYLE, "a style attribute or element (use a class)"),
                          (HANDLER, "an on...= handler (use addEventListener)"),
                          (JS_URL, "a javascript: URL")):
        found = pattern.search(text)
        assert found is None, f"{what}: {found.group()!r}" if found else ""


# What the policy refuses in scripts: markup with a style attribute set from a string, a
# style attribute set by name, and code made from a string.
BLOCKED_IN_JS = re.compile(
    r"setAttribute\(\s*[\"']style[\"']|<[a-z][^<>`]*\sstyle=|\beval\(|new Function\("
    r"|setTimeout\(\s*[\"'`]|setInterval\(\s*[\"'`]", re.I)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_the_apps_scripts_need_nothing_the_policy_refuses(script):
    found = BLOCKED_IN_JS.search(script.read_text())
    assert found is None, (f"{found.group()!r}: set element.style.x or a class instead"
                           if found else "")
