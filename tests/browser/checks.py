"""What every page must do in a real browser: no console error, no uncaught error, no
server error, nothing wider than a phone, and in French no English left behind."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urlparse

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[2] / "courier/translations/fr/LC_MESSAGES/messages.po"
PHONES = ({"width": 360, "height": 740}, {"width": 390, "height": 844})
DESKTOP = {"width": 1280, "height": 800}
# Words of English that no French sentence of the pages holds.
ENGLISH = re.compile(r"\b(the|and|your|you|with|is|are|was|has|have|this|that|must|of|to|"
                     r"from|not|no|none|per|hours|week|day|days|pay|rules)\b")


# Every violation of the Content-Security-Policy, as the page's own event reports it
# (Chromium also logs most of them to the console, but not every kind, and not always).
CSP_WATCH = """document.addEventListener('securitypolicyviolation', (e) => {
    window.__courierCsp = (window.__courierCsp || 0) + 1;
    console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`
        + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber} (${e.sample || ''})`);
});"""
# A 1x1 transparent PNG: what a map tile from outside is answered with.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                      "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082")


class Watch:
    """Everything a page does wrong while it is watched, as sentences: console errors,
    uncaught errors, server errors, and any violation of the Content-Security-Policy."""

    def __init__(self, page, origin: str):
        self.page, self.problems = page, []
        host = urlparse(origin).netloc
        page.add_init_script(CSP_WATCH)
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught error: {e}"))
        page.on("response", lambda r: r.status >= 500 and self.problems.append(
            f"HTTP {r.status} on {r.request.method} {r.url}"))
        # Nothing leaves the machine (map tiles, fonts): answered here, not failed.
        page.route(lambda url: urlparse(url).netloc not in (host, ""), _outside)

    def csp_violations(self) -> int:
        """How many violations the page now open reported."""
        return self.page.evaluate("window.__courierCsp || 0")

    def take(self) -> list[str]:
        out, self.problems = self.problems, []
        return out


def _outside(route):
    if route.request.resource_type == "image":
        route.fulfill(status=200, body=PIXEL, content_type="image/png")
    else:
        route.fulfill(status=204, body="")


def settle(page) -> None:
    """Wait until the page's scripts have filled it (the API calls answered)."""
    try:
        page.wait_for_load_state("networkidle", timeout=8000)
    except Exception:  # noqa: BLE001 - a page that polls never idles: its DOM is loaded
        page.wait_for_load_state("load")


def too_wide(page) -> str | None:
    """The page is wider than the viewport (a sideways scroll on a phone)."""
    width, inner = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    if width <= inner:
        return None
    culprit = page.evaluate("""() => {
        const w = window.innerWidth;
        const wide = [...document.querySelectorAll('body *')].filter((n) =>
            n.getBoundingClientRect().right > w + 1 && getComputedStyle(n).position !== 'fixed');
        const deepest = wide.filter((n) => !wide.some((m) => m !== n && n.contains(m)));
        const name = (n) => n.tagName.toLowerCase() + (n.id ? '#' + n.id : '');
        return deepest.slice(0, 3).map((n) => name(n) + ' '
            + Math.round(n.getBoundingClientRect().right) + 'px').join(', ');
    }""")
    return f"{width} px wide in a {inner} px viewport ({culprit})"


@functools.cache
def _english() -> tuple[frozenset, tuple]:
    """English texts of the catalogue that French says otherwise: whole ones, and the
    templates with fields as patterns."""
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    whole, patterns = set(), []
    for m in catalog:
        if not m.id or isinstance(m.id, tuple | list) or m.string == m.id or len(m.id) < 4:
            continue
        if "{" in m.id:
            if len(re.sub(r"\{\w+\}|[^A-Za-z]", "", m.id)) < 6:
                continue  # mostly fields ("{first}; {rest}"): says nothing of the language
            pat = re.escape(m.id)
            pat = re.sub(r"\\\{\w+\\\}", ".+", pat)
            patterns.append(re.compile(pat))
        else:
            whole.add(m.id)
    return frozenset(whole), tuple(patterns)


TEXTS = """() => {
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const p = n.parentElement;
        if (!p || p.closest('script, style, [hidden], [lang="en"], .leaflet-container')) continue;
        const s = n.textContent.replace(/\\s+/g, ' ').trim();
        if (s) out.push(s);
    }
    for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
        if (el.closest('[lang="en"], .leaflet-container')) continue;
        for (const a of ['placeholder', 'title', 'aria-label']) {
            const v = el.getAttribute(a);
            if (v) out.push(v.trim());
        }
    }
    return out;
}"""


def english_left(page) -> list[str]:
    """Texts of a French page that are English: a sentence of the catalogue shown
    untranslated, or a text with English words."""
    whole, patterns = _english()
    found = []
    for text in page.evaluate(TEXTS):
        if text in whole or any(p.fullmatch(text) for p in patterns) or ENGLISH.search(text):
            found.append(text)
    return sorted(set(found))


def french_colons(page) -> list[str]:
    """French sets a space before a colon (and ; ! ?): texts that do not."""
    bad = re.compile(r"[^\s\d\u00a0\u202f][:;!?](\s|$)")
    return sorted({t for t in page.evaluate(TEXTS) if bad.search(t) and "://" not in t})


RULE_KEY = re.compile(r"\b(working_time|load|pay|fairness)\.[a-z_]+")
DOT_DECIMAL = re.compile(r"(?<![\w.,])\d+\.\d+(?![\w.])")


def rule_keys(page) -> list[str]:
    """Texts that show a rule by its internal key (``load.max_run``) instead of its words."""
    return sorted({t for t in page.evaluate(TEXTS) if RULE_KEY.search(t)})


def dot_decimals(page) -> list[str]:
    """French writes 6,8 km: texts of a French page with a decimal point."""
    return sorted({t for t in page.evaluate(TEXTS) if DOT_DECIMAL.search(t)})


def alerts(page) -> list[str]:
    """Error messages a page shows by itself, right after loading."""
    return page.evaluate("""() => [...document.querySelectorAll('[role=alert]')]
        .filter((n) => n.offsetParent !== null && n.textContent.trim())
        .map((n) => n.textContent.trim())""")
