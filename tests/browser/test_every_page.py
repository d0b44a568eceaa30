"""Every page of the app, as every role that may open it, on phones (360 and 390 px wide)
and on a desktop, in English and in French, on a coop with a past (tests/browser/history.py).

The pages come from the app's URL map: a new page without a line in ``PAGES`` (or in
``NOT_PAGES``) fails ``test_every_page_route_is_walked``. A page fails the walk on a
console error, an uncaught error, an HTTP 5xx, a violation of its Content-Security-Policy
(or no policy at all), a document wider than the viewport, and, in
French, English left untranslated or a colon without its space.
"""

from __future__ import annotations

import pytest

from tests.browser import checks
from tests.browser.conftest import COOP_TZ, _require_chromium, login
from tests.browser.history import build
from tests.live import LiveServer

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "courier", "merchant", "hub", "dispatcher", "council", "partner")
# rule -> roles that may open it; a path with arguments is filled from the history.
PAGES = {
    "/": ROLES[1:],
    "/login": (ANONYMOUS,),
    "/account": ROLES[1:],
    "/courier": ("courier",),
    "/me/earnings": ("courier",),
    "/shifts": ("courier", "dispatcher", "council"),
    "/dashboard": ("courier", "dispatcher", "council"),
    "/shop": ("merchant", "hub"),
    "/shop/statements": ("merchant", "hub"),
    "/shop/schedules": ("merchant", "hub"),
    "/shop/messages": ("merchant", "hub"),
    "/shop/dashboard": ("merchant", "hub"),
    "/hub": ("hub",),
    "/partner": ("partner",),
    "/dispatch": ("dispatcher", "council"),
    "/council": ("council",),
    "/council/rules": ("council",),
    "/council/privacy": ("council",),
    "/council/ledger": ("council",),
    "/council/federation": ("dispatcher", "council"),
    "/setup": ("council",),
    "/open-data": ROLES,
    "/t/<token>": (ANONYMOUS,),
    "/m/stop/<signed>": (ANONYMOUS,),  # a recipient's opt-out link (from a message)
}
# Routes that answer GET but are not pages a person reads.
NOT_PAGES = {"/healthz", "/manifest.webmanifest", "/sw.js", "/static/<path:filename>",
             "/lang/<code>",  # a redirect: the walk goes through it to change language
             "/docs/<name>",  # the project's documents, as plain text (tests/fairwork)
             "/m/proof/<signed>",  # a proof's image, linked from a message
             # what partner coops' instances read (JSON; the second one signed)
             "/.well-known/courier-coop", "/federation/v1/handoffs/<key>"}


# Map tiles from a host of their own, as a coop's set-up has them: the pages' policy must
# let them in (the browser asks for them; the watch answers with a pixel).
TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
def server(database_url):
    """The live server of this module, with map tiles from another host."""
    _require_chromium()
    srv = LiveServer(database_url, env={"COURIER_POSITION_INTERVAL": "1",
                                        "COURIER_TILE_URL": TILES,
                                        "COURIER_TILE_ATTRIBUTION": "Tiles"}).start()
    yield srv
    srv.stop()


def test_every_page_route_is_walked(app):
    routes = {r.rule for r in app.url_map.iter_rules()
              if "GET" in r.methods and not r.rule.startswith("/api/")}
    assert routes - NOT_PAGES - set(PAGES) == set(), "add the new page to PAGES"
    assert set(PAGES) <= routes, "PAGES names a page the app no longer has"


def _opt_out_link() -> str:
    """A recipient's opt-out link as the live server signs it (its development key)."""
    from itsdangerous import URLSafeSerializer

    from courier.config import DEV_SECRET

    return URLSafeSerializer(DEV_SECRET, salt="messages-opt-out").dumps(
        {"h": "0" * 64, "c": "email", "l": "fr"})


def _actor(history, role):
    return {"courier": history.ana, "merchant": history.shop, "hub": history.hub,
            "dispatcher": history.dispatcher, "council": history.council,
            "partner": history.partner}.get(role)


def _walk(page, url, lang, problems, watch):
    where = f"{url} [{lang}]"
    page.set_viewport_size(checks.PHONES[0])
    resp = page.goto(url)
    assert resp is not None
    if "script-src 'self'" not in (resp.headers.get("content-security-policy") or ""):
        problems.append(f"{where}: no Content-Security-Policy")
    checks.settle(page)
    problems += [f"{where}: {p}" for p in watch.take()]
    problems += [f"{where}: shows the error {a!r}" for a in checks.alerts(page)]
    problems += [f"{where}: a rule by its key: {t!r}" for t in checks.rule_keys(page)]
    if page.evaluate("document.documentElement.lang") != lang:
        problems.append(f"{where}: page is not in {lang}")
    for size in (*checks.PHONES, checks.DESKTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(50)
        wide = checks.too_wide(page)
        if wide:
            problems.append(f"{where} at {size['width']} px: {wide}")
    if lang == "fr":
        problems += [f"{where}: English left: {t!r}" for t in checks.english_left(page)]
        problems += [f"{where}: no space before the colon: {t!r}"
                     for t in checks.french_colons(page)]
        problems += [f"{where}: a decimal point: {t!r}" for t in checks.dot_decimals(page)]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_works_for_every_role(role, browser, server, make_user):
    history = build(make_user)
    ctx = browser.new_context(viewport=checks.PHONES[0], base_url=server.url,
                              timezone_id=COOP_TZ,
                              service_workers="block", locale="fr-FR")
    problems: list[str] = []
    try:
        page = ctx.new_page()
        watch = checks.Watch(page, server.url)
        actor = _actor(history, role)
        if actor is not None:
            login(page, actor)
        for lang in ("en", "fr"):
            page.goto(f"/lang/{lang}")
            for rule, roles in PAGES.items():
                if role in roles:
                    url = rule.replace("<token>", history.track_token).replace(
                        "<signed>", _opt_out_link())
                    _walk(page, url, lang, problems, watch)
    finally:
        ctx.close()
    assert not problems, "\n".join(problems)


def test_a_content_security_policy_violation_fails_the_walk(browser, server, make_user):
    """The watch sees what the policy blocks: a style attribute, an inline script."""
    history = build(make_user)
    ctx = browser.new_context(viewport=checks.PHONES[0], base_url=server.url,
                              service_workers="block")
    try:
        page = ctx.new_page()
        watch = checks.Watch(page, server.url)
        login(page, history.dispatcher)
        page.goto("/dispatch")
        checks.settle(page)
        assert watch.take() == []
        page.evaluate("""() => {
            document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>');
            const s = document.createElement('script');
            s.textContent = 'window.ran = true';
            document.body.append(s);
        }""")
        page.wait_for_function("() => window.__courierCsp >= 2")
        seen = "\n".join(watch.take())
        assert "CSP violation: style-src-attr" in seen
        assert "CSP violation: script-src-elem" in seen
        assert page.evaluate("window.ran") is None  # the inline script never ran
    finally:
        ctx.close()
