"""The price of a job, fixed when it is submitted."""

from __future__ import annotations

import math

from flask import current_app
from geopy.distance import geodesic


def price_cents(pickup: dict, dropoff: dict) -> int:
    """A base price plus a price per started kilometre of street distance."""
    cfg = current_app.config
    km = geodesic((pickup["lat"], pickup["lon"]), (dropoff["lat"], dropoff["lon"])).km
    km *= cfg["DETOUR_FACTOR"]
    return int(cfg["PRICE_BASE_CENTS"] + math.ceil(km) * cfg["PRICE_PER_KM_CENTS"])
