"""Creating members and shops, and their API tokens."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from courier.errors import Conflict, InvalidInput
from courier.extensions import db
from courier.models import CAPACITY, ApiToken, Courier, Merchant, MerchantKind, Role, User, Vehicle


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(role: str, name: str, email: str | None = None, password: str | None = None,
                lat: float | None = None, lon: float | None = None, vehicle: str | None = None,
                address: str = "", kind: str | None = None, volunteer: bool = False) -> User:
    """A new user of ``role``; a merchant gets its shop (or food hub, ``kind="hub"``), a
    partner its own merchant row, a courier its vehicle (``volunteer``: unpaid)."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}", {"role": "unknown"}) from None
    if not name or not name.strip():
        raise InvalidInput("a name is required", {"name": "required"})
    if (lat is None) != (lon is None):
        raise InvalidInput("give both lat and lon", {"lat": "give both lat and lon"})
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("coordinates out of range", {"lat": "out of range"})
    if email:
        email = email.strip().lower()
        if db.session.scalars(select(User).where(User.email == email)).first():
            raise Conflict(f"a user with the email {email} already exists", {"email": "taken"})
    user = User(role=role, name=name.strip(), email=email or None,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    if role in (Role.MERCHANT, Role.PARTNER):
        try:
            mkind = MerchantKind.PARTNER if role == Role.PARTNER else MerchantKind(kind or "shop")
        except ValueError:
            raise InvalidInput(f"unknown kind {kind!r}", {"kind": "shop or hub"}) from None
        if mkind == MerchantKind.PARTNER and role != Role.PARTNER:
            raise InvalidInput("a partner is a user of role partner", {"kind": "shop or hub"})
        db.session.add(Merchant(user=user, name=name.strip(), address=address, lat=lat, lon=lon,
                                kind=mkind))
    elif role == Role.COURIER:
        try:
            kind = Vehicle(vehicle or "bike")
        except ValueError:
            raise InvalidInput(f"unknown vehicle {vehicle!r}", {"vehicle": "unknown"}) from None
        kg, litres = CAPACITY[kind]
        db.session.add(Courier(user=user, vehicle=kind, capacity_kg=kg, capacity_l=litres,
                               lat=lat, lon=lon, volunteer=volunteer))
    db.session.flush()
    return user


def issue_token(user: User, name: str = "", scopes: str = "*") -> str:
    """A new API token for ``user``; only its hash is kept, so show it now."""
    token, secret = ApiToken.issue(user, name=name, scopes=scopes)
    db.session.add(token)
    db.session.flush()
    return secret
