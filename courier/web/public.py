"""Served without login: a recipient's tracking page, and the courier app's web
manifest and service worker (at the root, so that it may control ``/courier``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import Blueprint, current_app, render_template, send_from_directory, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from courier import tracking
from courier.errors import NotFound

bp = Blueprint("public", __name__)


@bp.get("/t/<token>")
def track(token: str):
    """The recipient's page; it hears changes live (``track.updated`` over Socket.IO),
    and asks ``/api/v1/track/<token>`` while it cannot."""
    try:
        job = tracking.find(token)
    except tracking.Gone:
        return render_template("track_gone.html", expired=True), 410
    except NotFound:
        return render_template("track_gone.html", expired=False), 404
    view = tracking.public_view(job)
    zone = current_app.config["COOP_TIMEZONE"]
    local = {"start": _clock(view["window"]["start"], zone),
             "end": _clock(view["window"]["end"], zone), "eta": _clock(view["eta"], zone)}
    return render_template("track.html", view=view, token=token, local=local,
                           config_js={**map_config(), "token": token, "timeZone": zone}
                           ), 200, _no_store()


def _clock(iso: str | None, zone: str) -> str:
    """A time of the page, as the reader's language writes it in the coop's time zone
    (the page's script writes it the same way with Intl)."""
    if not iso:
        return ""
    return format_time(datetime.fromisoformat(iso), "short", tzinfo=ZoneInfo(zone),
                       locale=str(get_locale()))


@bp.get("/manifest.webmanifest")
def manifest():
    data = {
        "name": _("Courier coop"),
        "short_name": _("Courier"),
        "description": _("Offers, runs and stops for the coop's couriers"),
        "start_url": url_for("pages.courier"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f5",
        "theme_color": "#0b7a53",
        "icons": [
            {"src": url_for("static", filename=f"icons/icon-{n}.png"), "sizes": f"{n}x{n}",
             "type": "image/png", "purpose": "any maskable"} for n in (192, 512)
        ],
    }
    resp = current_app.json.response(data)
    resp.mimetype = "application/manifest+json"
    return resp


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the root so its scope covers every page."""
    resp = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Service-Worker-Allowed"] = "/"
    return resp


def map_config() -> dict:
    cfg = current_app.config
    return {"tileUrl": cfg["TILE_URL"], "tileAttribution": cfg["TILE_ATTRIBUTION"]}


def _no_store() -> dict:
    return {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
