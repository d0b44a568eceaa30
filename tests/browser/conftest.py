"""Browser tests: Debian's Chromium driven by Playwright against the real server
(``courier run`` in a child process, see tests/live.py) on the test database.

Skipped when /usr/bin/chromium is absent on a developer's machine; CI installs it
(.ci/run), and ``COURIER_TEST_REQUIRE_BROWSER=1`` (set there) makes its absence a
failure. Pages are waited on by their DOM state, never by sleeping. They run on the
first database of ``COURIER_TEST_DATABASES`` only (SQLite by default): the pages are
the same on both, and what they call on the server is tested on both elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'").expect

from tests.conftest import DATABASES  # noqa: E402
from tests.live import LiveServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# Where screenshots go: docs/screenshots/ when asked (COURIER_SCREENSHOTS=docs/screenshots),
# else the session's temporary directory (a test run leaves the tree as it found it).
SHOTS = os.environ.get("COURIER_SCREENSHOTS")
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    keep, drop = [], []
    for item in items:
        param = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        inside = here in Path(str(item.path)).parents
        (drop if inside and param not in (None, DATABASES[0]) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _require_chromium():
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("COURIER_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


COOP_TZ = "Europe/Paris"  # the coop's time zone (COOP_TIMEZONE), as its members' phones have it


@pytest.fixture(scope="module")
def server(database_url):
    """One live server per test module (each test still starts from empty tables)."""
    _require_chromium()
    srv = LiveServer(database_url, env={"COURIER_POSITION_INTERVAL": "1",
                                        "COURIER_OFFER_TTL": "120"}).start()
    yield srv
    srv.stop()


@pytest.fixture
def open_page(browser, server):
    """``open_page(actor, phone=True, lang="fr", **context_options)``: a logged-in page in
    a fresh browser context (its own cookies and storage)."""
    contexts = []

    def open_(actor=None, phone=True, lang="fr", **options):
        options.setdefault("timezone_id", COOP_TZ)  # people of a Lyon coop, on its clock
        ctx = browser.new_context(viewport=PHONE if phone else DESKTOP, locale=lang,
                                  extra_http_headers={"Accept-Language": lang},
                                  base_url=server.url, **options)
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        if actor is not None:
            login(page, actor)
        return page

    yield open_
    for ctx in contexts:
        ctx.close()


def login(page, actor, password="secret"):
    page.goto("/login")
    page.fill('input[name="email"]', actor.user.email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click("form#login-form button")


@pytest.fixture
def snap(database_url, tmp_path_factory):
    """``snap(page, name)``: screenshots at phone and desktop sizes (once, on the SQLite
    run), into ``$COURIER_SCREENSHOTS`` if set, else a temporary directory."""
    target = Path(SHOTS) if SHOTS else tmp_path_factory.getbasetemp() / "screenshots"

    def take(page, name):
        if not database_url.startswith("sqlite"):
            return
        target.mkdir(parents=True, exist_ok=True)
        before = page.viewport_size
        for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
            page.set_viewport_size(size)
            page.wait_for_timeout(150)  # let Leaflet and the layout settle after a resize
            page.screenshot(path=str(target / f"{name}-{label}.png"), full_page=False)
        page.set_viewport_size(before)

    return take
