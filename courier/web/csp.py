"""The Content-Security-Policy of every answer.

Pages run only the app's own scripts and styles, from its own origin (its ``static/``
folder): no inline ``<script>``, no ``style=""`` attribute, no ``<style>`` element, no
``eval``. Data a page needs travels in ``<script type="application/json">`` blocks, which
are never run. Images come from the app, the map tiles' host (``TILE_URL``'s origin, or
``CSP_TILE_SOURCES``) and ``data:``/``blob:`` (Leaflet, photos taken on the phone); live
updates connect back to the app itself (Socket.IO's polling and its websocket). The API's
answers are data, never a document: they allow nothing at all.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, request

from courier.config import SettingError

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def tile_sources(config) -> list[str]:
    """Where map tiles may come from: ``CSP_TILE_SOURCES`` when set (space-separated
    sources), else the origin of ``TILE_URL`` (a ``{s}`` subdomain becomes ``*.``); none
    for a plain map or tiles served by the app itself."""
    explicit = config.get("CSP_TILE_SOURCES")
    if explicit:
        return str(explicit).split()
    url = config.get("TILE_URL") or ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []  # a plain map, or tiles under the app's own origin
    host = re.sub(r"^\{[a-z]\}\.", "*.", parts.netloc)  # {s}.tile.example -> *.tile.example
    if "{" in host:
        raise SettingError(f"TILE_URL's host cannot be allowed by the CSP: {url!r}; "
                           "set COURIER_CSP_TILE_SOURCES")
    return [f"{parts.scheme}://{host}"]


def page_policy(config) -> str:
    """The policy of the pages, but for the live connections' host (added per answer)."""
    images = " ".join(["'self'", "data:", "blob:", *tile_sources(config)])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def policy() -> str:
    """This answer's policy: nothing for the API, the pages' policy elsewhere, whose
    ``connect-src`` names the app's own host for websockets too (``'self'`` covers them in
    current browsers only)."""
    if request.path.startswith("/api/"):
        return API_POLICY
    base = current_app.extensions.get("courier.csp")
    if base is None:
        base = current_app.extensions["courier.csp"] = page_policy(current_app.config)
    host = request.host
    live = f" ws://{host} wss://{host}" if HOST.match(host) else ""
    return f"{base}; connect-src 'self'{live}"


def add_policy(response):
    response.headers.setdefault("Content-Security-Policy", policy())
    return response


def init_app(app) -> None:
    app.after_request(add_policy)
