"""People: users with a role and API tokens; merchants (shops) and couriers."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class Role(enum.StrEnum):
    MERCHANT = "merchant"
    COURIER = "courier"
    DISPATCHER = "dispatcher"
    COUNCIL = "council"
    PARTNER = "partner"  # an association or a social service: free solidarity deliveries


class Vehicle(enum.StrEnum):
    BIKE = "bike"
    CARGO_BIKE = "cargo_bike"


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # written into each logged-in page's session at login; raising it ends them all
    # (courier.accounts.end_sessions). API tokens do not depend on it.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    merchant: Mapped[Merchant | None] = relationship(back_populates="user", uselist=False)
    courier: Mapped[Courier | None] = relationship(back_populates="user", uselist=False)
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.name!r}>"


def hash_token(token: str) -> str:
    """API tokens are random and long, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Base):
    """A bearer token. Only its hash is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    scopes: Mapped[str] = mapped_column(String(255), default="*")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, name: str = "", scopes: str = "*") -> tuple[ApiToken, str]:
        """A new token for ``user``: the row (not yet added) and the secret to show."""
        secret = "ck_" + secrets.token_urlsafe(32)
        return cls(user=user, token_hash=hash_token(secret), name=name, scopes=scopes), secret

    @classmethod
    def lookup(cls, session, secret: str) -> ApiToken | None:
        stmt = select(cls).where(cls.token_hash == hash_token(secret), cls.revoked_at.is_(None))
        return session.scalars(stmt).first()


class LoginSession(Base):
    """One device's login on the pages: its id travels in the signed session cookie and is
    checked on every request with the user's row; a session ends when its row goes.
    Logging out ends this one; a new password, a role change and "log out everywhere" end
    them all (courier.accounts)."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never reused
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(24)


class MerchantKind(enum.StrEnum):
    SHOP = "shop"
    HUB = "hub"  # a food hub: collection and distribution rounds (courier.solidarity)
    PARTNER = "partner"  # the submitting side of a partner user (solidarity deliveries)
    COOP = "coop"  # a partner coop handing us jobs (courier.federation)


class Merchant(Base):
    """A shop: where its jobs are picked up unless they say otherwise. Food hubs and
    partners submit work through a merchant row of their own ``kind``."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    kind: Mapped[MerchantKind] = mapped_column(_enum(MerchantKind, "merchant_kind"),
                                               default=MerchantKind.SHOP, server_default="shop")

    user: Mapped[User] = relationship(back_populates="merchant")


CAPACITY = {Vehicle.BIKE: (15.0, 40.0), Vehicle.CARGO_BIKE: (80.0, 250.0)}


class Courier(Base):
    """A courier member: vehicle, capacity, shift status and last known position."""

    __tablename__ = "couriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    vehicle: Mapped[Vehicle] = mapped_column(_enum(Vehicle, "vehicle"), default=Vehicle.BIKE)
    capacity_kg: Mapped[float] = mapped_column(default=15.0)
    capacity_l: Mapped[float] = mapped_column(default=40.0)
    on_shift: Mapped[bool] = mapped_column(default=False, index=True)
    shift_started_at: Mapped[datetime | None]
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    position_at: Mapped[datetime | None]
    # a volunteer, not a paid member: solidarity jobs only, never paid (courier.solidarity)
    volunteer: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(back_populates="courier")

    @property
    def name(self) -> str:
        return self.user.name
