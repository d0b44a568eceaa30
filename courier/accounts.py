"""Creating members and shops, and their API tokens; passwords, members' roles, and
ending a user's sessions."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.models import (
    CAPACITY,
    ApiToken,
    Courier,
    Merchant,
    MerchantKind,
    Role,
    User,
    Vehicle,
    utcnow,
)
from courier.models.users import LoginSession

MIN_PASSWORD = 8
MEMBER_ROLES = (Role.COURIER, Role.DISPATCHER, Role.COUNCIL)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(user: User, password: str) -> bool:
    return bool(user.active and user.password_hash and password
                and check_password_hash(user.password_hash, password))


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


def idle_limit() -> timedelta:
    """How long a page's session lasts unused (``SESSION_IDLE_DAYS``)."""
    return timedelta(days=float(current_app.config["SESSION_IDLE_DAYS"]))


def open_session(user: User, user_agent: str = "") -> LoginSession:
    """A new page session of ``user`` on one device (its id goes in the session cookie);
    their sessions left unused past the idle limit are cleared on the way."""
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.last_seen_at < utcnow() - idle_limit()))
    row = LoginSession(id=LoginSession.new_id(), user_id=user.id, user_agent=user_agent[:200])
    db.session.add(row)
    db.session.flush()
    return row


def sessions_of(user: User) -> list[LoginSession]:
    """``user``'s page sessions still open, the most recently used first."""
    return list(db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id,
        LoginSession.last_seen_at >= utcnow() - idle_limit()).order_by(
        LoginSession.last_seen_at.desc(), LoginSession.created_at.desc())))


def end_session(user: User, session_id: str) -> bool:
    """End one page session of ``user`` (logging out, or ending another device's from the
    account page); their other sessions and their tokens live on. False if ``user`` has
    no such session. The caller commits, then disconnects its live page connections."""
    ended = db.session.execute(delete(LoginSession).where(
        LoginSession.id == session_id, LoginSession.user_id == user.id))
    return bool(ended.rowcount)


def end_sessions(user: User) -> int:
    """End every logged-in page session of ``user``, on every device: their rows go, and
    the generation each was opened under no longer matches. Their API tokens keep working
    (a token ends only when revoked). Returns the new generation. The caller commits, then
    disconnects the user's live page connections."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    user.session_generation = User.session_generation + 1  # in SQL: two at once both count
    db.session.flush()
    return user.session_generation


def change_password(user: User, current: str, new: str) -> int:
    """Set ``user``'s password after checking the current one, and end their sessions
    (a stolen session must not outlive the password). Returns the new generation."""
    if not password_matches(user, current):
        raise InvalidInput("the current password is wrong", {"current_password": "wrong"})
    if len(new or "") < MIN_PASSWORD:
        raise InvalidInput(f"a password needs {MIN_PASSWORD} characters at least",
                           {"new_password": f"{MIN_PASSWORD} characters at least"})
    user.password_hash = hash_password(new)
    return end_sessions(user)


def change_member(actor: User, member: User, role: str | None = None,
                  active: bool | None = None) -> User:
    """The council changes a member's role (courier, dispatcher, council) or removes them
    from the coop (``active=False``); either ends the member's sessions. A courier on
    shift goes off shift first, and the coop always keeps an active council member."""
    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council changes members")
    if member.role not in MEMBER_ROLES:
        raise Conflict(f"{member.name} is not a member: a {member.role.value}'s role stays",
                       {"user_id": "not a member"})
    new_role = Role(role) if role is not None else member.role
    if new_role not in MEMBER_ROLES:
        raise InvalidInput("a member is a courier, a dispatcher or the council",
                           {"role": "courier, dispatcher or council"})
    new_active = member.active if active is None else active
    if (new_role, new_active) == (member.role, member.active):
        return member
    if member.courier is not None and member.courier.on_shift:
        raise Conflict(f"{member.name} is on shift: they go off shift first",
                       {"user_id": "on shift"})
    if member.role == Role.COUNCIL and member.active and not (
            new_role == Role.COUNCIL and new_active) and _other_council(member) == 0:
        raise Conflict("the coop keeps at least one council member", {"user_id": "last council"})
    if new_role == Role.COURIER and member.courier is None:
        kg, litres = CAPACITY[Vehicle.BIKE]
        db.session.add(Courier(user=member, vehicle=Vehicle.BIKE, capacity_kg=kg,
                               capacity_l=litres))
    member.role, member.active = new_role, new_active
    end_sessions(member)
    return member


def _other_council(member: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.COUNCIL, User.active.is_(True), User.id != member.id))
