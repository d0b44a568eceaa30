"""Fixtures of the shops tests: webhooks may target the local test servers; the
geocoder's connections are closed after each test; a council member."""

from __future__ import annotations

import pytest

from tests.conftest import base_config

SQUARE = [[4.80, 45.72], [4.90, 45.72], [4.90, 45.80], [4.80, 45.80], [4.80, 45.72]]


def polygon(x0, y0, x1, y1) -> dict:
    """A rectangle as a GeoJSON Polygon, [lon, lat]."""
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, WEBHOOK_ALLOW_PRIVATE_URLS=True)


@pytest.fixture(autouse=True)
def _close_geocoder(app):
    yield
    from courier.shops import geocoding

    geocoding.close(app)


@pytest.fixture
def council(make_user):
    return make_user("council", "Cleo Council")
