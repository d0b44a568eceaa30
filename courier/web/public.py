"""Served without login: a recipient's tracking page, and the courier app's web
manifest and service worker (at the root, so that it may control ``/courier``)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory, url_for
from flask_babel import gettext as _

from courier import tracking
from courier.errors import NotFound

bp = Blueprint("public", __name__)


@bp.get("/t/<token>")
def track(token: str):
    """The recipient's page; it polls ``/api/v1/track/<token>`` for changes."""
    try:
        job = tracking.find(token)
    except tracking.Gone:
        return render_template("track_gone.html", expired=True), 410
    except NotFound:
        return render_template("track_gone.html", expired=False), 404
    view = tracking.public_view(job)
    return render_template("track.html", view=view, token=token,
                           config_js={**map_config(), "token": token}), 200, _no_store()


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
