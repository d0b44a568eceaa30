"""Seed the demo city: shops, couriers (one left for you to play), dispatch, council."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from courier.accounts import create_user
from courier.extensions import db
from courier.models import User

CITY = json.loads((Path(__file__).parent / "lyon.json").read_text(encoding="utf-8"))
PASSWORD = "demo"


def seed() -> list[tuple[str, str]]:
    """Create the demo users that do not exist yet. Returns (role, email) to log in with."""
    logins = []
    for shop in CITY["shops"]:
        _ensure("merchant", shop["name"], shop["email"], lat=shop["lat"], lon=shop["lon"],
                address=shop["address"])
        logins.append(("merchant", shop["email"]))
    for c in CITY["couriers"]:
        _ensure("courier", c["name"], c["email"], lat=c["lat"], lon=c["lon"], vehicle=c["vehicle"])
        if not c["simulated"]:
            logins.append(("courier", c["email"]))
    for s in CITY["staff"]:
        _ensure(s["role"], s["name"], s["email"])
        logins.append((s["role"], s["email"]))
    db.session.commit()
    return logins


def _ensure(role: str, name: str, email: str, **kw) -> User:
    user = db.session.scalars(select(User).where(User.email == email)).first()
    return user or create_user(role, name, email, PASSWORD, **kw)
