"""The zones partner coops publish (courier.federation keeps them on ``Partner.zone``):
whether a point lies in one, and whether a delivery whose drop-off is outside our own
zones may still be taken because the council hands such jobs to a partner covering it
(the federation setting ``outside_zone``)."""

from __future__ import annotations

import shapely
from flask import current_app
from shapely.geometry import shape
from sqlalchemy import select

from courier import settings
from courier.extensions import db
from courier.models import Partner, PartnerStatus


def geometry(partner: Partner):
    """The union of the partner's published zone, prepared (None: it publishes none)."""
    cache = current_app.extensions.setdefault("courier.partner_zones", {})
    key = (partner.id, partner.profile_at)
    if key not in cache:
        shapes = []
        for f in (partner.zone or {}).get("features", []) if isinstance(partner.zone, dict) \
                else []:
            try:
                shapes.append(shape(f["geometry"]))
            except (KeyError, TypeError, ValueError, AttributeError,
                    shapely.errors.GEOSException):
                continue
        geom = shapely.union_all(shapes) if shapes else None
        if geom is not None:
            shapely.prepare(geom)
        cache[key] = geom
    return cache[key]


def covers(partner: Partner, lat: float, lon: float) -> bool:
    """Whether the point is inside the partner's published zone (boundary included)."""
    geom = geometry(partner)
    return geom is not None and geom.intersects(shapely.Point(lon, lat))


def handed_beyond(lat: float, lon: float) -> bool:
    """Whether a drop-off outside our zones is taken all the same: the council hands such
    jobs to partners, and an active partner's zone covers it."""
    if not (settings.get("federation") or {}).get("outside_zone"):
        return False
    partners = db.session.scalars(select(Partner).where(
        Partner.status == PartnerStatus.ACTIVE)).all()
    return any(covers(p, lat, lon) for p in partners)
