"""Fixtures of the solidarity tests: a partner (a social service), a food hub, and a
helper to submit a partner's delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import LYON


@pytest.fixture
def partner(make_user):
    return make_user("partner", "CCAS Villeurbanne", lat=LYON[0] - 0.004, lon=LYON[1] + 0.002,
                     address="12 rue de la Solidarité")


@pytest.fixture
def hub(make_user):
    return make_user("merchant", "Drive fermier", lat=LYON[0] + 0.004, lon=LYON[1] - 0.003,
                     address="3 quai des Producteurs", kind="hub")


@pytest.fixture
def council(make_user):
    return make_user("council", "Colette Council")


def delivery_body(dlat=0.01, dlon=-0.01, minutes=120, **extra) -> dict:
    now = datetime.now(UTC)
    body = {"dropoff": {"lat": LYON[0] + dlat, "lon": LYON[1] + dlon,
                        "address": "7 impasse des Lilas"},
            "recipient": {"name": "Mme Odette Martin", "phone": "+33 6 12 34 56 78"},
            "what": "medicines", "priority": "urgent", "weight_kg": 2,
            "notes": "code porte 4521, 3e étage",
            "ready_at": now.isoformat(),
            "deliver_by": (now + timedelta(minutes=minutes)).isoformat()}
    body.update(extra)
    return body


@pytest.fixture
def ask():
    """``ask(partner, **body)``: the partner's new delivery, as the API answered it."""
    def make(partner, **kw):
        r = partner.post("/solidarity/deliveries", json=delivery_body(**kw))
        assert r.status_code == 201, r.json
        return r.json
    return make
