"""What a new instance still needs, read from the database and the config each time:
the checklist printed by ``courier init`` and shown on the council's ``/setup`` page."""
# ruff: noqa: N802

from __future__ import annotations

from flask import current_app
from sqlalchemy import exists, select

from courier import settings
from courier.config import DEV_SECRET
from courier.extensions import db
from courier.models import Courier, Merchant, PricingVersion, Role, User, WebhookEndpoint, Zone


def N_(text: str) -> str:
    """Marks ``text`` for the catalogue (Babel's default keyword); pages translate it."""
    return text


def _has(stmt) -> bool:
    return bool(db.session.scalar(select(exists(stmt))))


def _checks() -> list[tuple]:
    cfg = current_app.config
    production = cfg.get("ENV") == "production"
    return [
        ("coop", True, bool(settings.get("name") and settings.get("city")),
         N_("Coop name and city"), N_("courier init, or PATCH /api/v1/coop")),
        ("zone", True, _has(select(Zone.id).where(Zone.active.is_(True))),
         N_("Service zone"), N_("courier zones import FILE.geojson")),
        ("council", True, _has(select(User.id).where(User.role == Role.COUNCIL)),
         N_("A council member"), N_("courier create-user --role council")),
        ("dispatchers", False, _has(select(User.id).where(User.role == Role.DISPATCHER)),
         N_("Dispatchers"), N_("courier create-user --role dispatcher")),
        ("shops", True, _has(select(Merchant.id)),
         N_("Shops, food hubs or partners"),
         N_("courier create-user --role merchant (--kind hub), or --role partner")),
        ("couriers", True, _has(select(Courier.id)),
         N_("Couriers (members or volunteers)"),
         N_("courier create-user --role courier (--volunteer)")),
        ("pricing", True, _has(select(PricingVersion.id)),
         N_("Pricing rules"), N_("the council publishes them: POST /api/v1/pricing")),
        ("webhooks", False, _has(select(WebhookEndpoint.id)),
         N_("Shops' webhooks"), N_("each shop registers its own: POST /api/v1/webhooks")),
        ("tiles", False, bool(cfg.get("TILE_URL")),
         N_("Map tiles"), N_("COURIER_TILE_URL and COURIER_TILE_ATTRIBUTION")),
        ("osrm", False, bool(cfg.get("OSRM_URL")),
         N_("Street routing (OSRM)"),
         N_("COURIER_OSRM_URL; without it, straight-line distances times a detour factor")),
        ("geocoder", False, bool(cfg.get("GEOCODER")),
         N_("Address search (geocoder)"), N_("COURIER_GEOCODER and COURIER_GEOCODER_URL")),
        ("public_url", production, bool(cfg.get("PUBLIC_URL")),
         N_("Public address"), N_("COURIER_PUBLIC_URL, for the recipients' tracking links")),
        ("secret_key", production, cfg.get("SECRET_KEY") not in (None, "", DEV_SECRET),
         N_("Secret key"), N_("COURIER_SECRET_KEY: a long random value, required in "
                              "production")),
        ("legal", False, bool(settings.get("legal_address") and settings.get("registration_id")),
         N_("Legal details for invoices"),
         N_("PATCH /api/v1/coop with legal_name, legal_address, registration_id and vat_id")),
        ("open_data", False, settings.chosen("open_data"),
         N_("Open data: publish or not"), N_("PATCH /api/v1/coop {\"open_data\": true}")),
    ]


def items() -> list[dict]:
    """``[{"key", "label", "hint", "required", "done"}]`` in the order to do them; the
    label and hint in English (the page translates them)."""
    return [{"key": key, "required": required, "done": done, "label": label, "hint": hint}
            for key, required, done, label, hint in _checks()]
