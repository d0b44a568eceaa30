"""Who is asking: a bearer token (shop software, scripts, the courier app) or the
logged-in session of a page (then with a CSRF token on every change).

A page's session holds the id of its row in ``login_sessions`` and its user's session
generation from the moment they logged in; the user loader reads the user's row joined
to that session's row (one query, as reading the user alone was) and checks both: a
session whose row is gone (logged out, ended from the account page) or of an older
generation is no session at all. :func:`courier.accounts.end_session` ends one,
:func:`courier.accounts.end_sessions` every session of a user at once. Tokens never look
at them: a token ends when it is revoked.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

from flask import g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from courier import accounts
from courier.errors import Forbidden, Unauthorized
from courier.extensions import csrf, db, login_manager
from courier.models import ApiToken, Role, User, utcnow
from courier.models.users import LoginSession, hash_token
from courier.tokens import granted

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


GENERATION = "_generation"  # the session's key for the generation it was opened under
SESSION = "_session"  # the session's key for its row in login_sessions
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", GENERATION, SESSION)
SEEN_EVERY = timedelta(minutes=5)  # how often a session's last use is written down

# Built once (this runs on every page request): the user and when the session was last
# seen, in one query and one row, only if this session of this user still exists.
_SESSION_USER = (select(User, LoginSession.last_seen_at)
                 .join(LoginSession, LoginSession.user_id == User.id)
                 .where(User.id == bindparam("user_id"), LoginSession.id == bindparam("sid")))
_SEEN = update(LoginSession).where(LoginSession.id == bindparam("sid")).values(
    last_seen_at=bindparam("now")).execution_options(synchronize_session=False)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    sid = session.get(SESSION)
    row = db.session.execute(_SESSION_USER, {"user_id": int(user_id), "sid": sid}).first() if (
        user_id.isdigit() and isinstance(sid, str)) else None
    user, seen = row if row is not None else (None, None)
    now = utcnow()
    if (user is None or not user.active or session.get(GENERATION) != user.session_generation
            or now - seen > accounts.idle_limit()):
        for key in _LOGIN_KEYS:  # an ended session: the answer forgets it
            session.pop(key, None)
        return None
    if now - seen > SEEN_EVERY:
        db.session.execute(_SEEN, {"sid": sid, "now": now})
        db.session.commit()
    return user


def start_session(user: User) -> str:
    """Log ``user`` in on this browser: a session of its own, under their current session
    generation. Returns its id; the caller commits."""
    row = accounts.open_session(user, request.user_agent.string or "")
    login_user(user)
    session[SESSION] = row.id
    session[GENERATION] = user.session_generation
    return row.id


def this_session() -> str | None:
    """The id of this browser's page session, if logged in."""
    return session.get(SESSION) if current_user.is_authenticated else None


def end_session() -> None:
    """Forget the login of this browser (the caller has ended its session)."""
    logout_user()
    session.pop(GENERATION, None)
    session.pop(SESSION, None)


@dataclass(frozen=True)
class Grant:
    """What a request's token grants: its id and scopes (the user is ``g.user``)."""

    id: int
    scopes: str


# Built once (this runs on every API call): the token's user, with the user's shop or
# courier, and the token's own columns, in one query and one row.
_TOKEN = (select(User, ApiToken.id, ApiToken.scopes, ApiToken.last_used_at)
          .join(ApiToken, ApiToken.user_id == User.id)
          .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
          .options(joinedload(User.merchant), joinedload(User.courier)))
_TOUCH = update(ApiToken).where(ApiToken.id == bindparam("token_id")).values(
    last_used_at=bindparam("now")).execution_options(synchronize_session=False)


def valid_token(secret: str) -> tuple[User, Grant] | None:
    """The active user owning the API token ``secret`` and what the token grants, if the
    token is valid. When it was last used is noted (at most every five minutes)."""
    row = db.session.execute(_TOKEN, {"token_hash": hash_token(secret)}).first()
    if row is None or not row[0].active:
        return None
    user, token_id, scopes, last_used_at = row
    now = utcnow()
    if last_used_at is None or now - last_used_at > timedelta(minutes=5):
        db.session.execute(_TOUCH, {"token_id": token_id, "now": now})
        db.session.commit()
    return user, Grant(token_id, scopes)


def token_user(secret: str) -> User | None:
    """The active user owning the API token ``secret``, if it is valid."""
    found = valid_token(secret)
    return found[0] if found is not None else None


def authenticate() -> User | None:
    """The user behind this request, or None. A bad token is an error, not anonymity."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("use Authorization: Bearer <token>")
        found = valid_token(secret.strip())
        if found is None:
            raise Unauthorized("invalid or revoked token")
        user, g.api_token = found
        return user
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        return current_user._get_current_object()
    return None


def needed_scope() -> str:
    """The scope a token needs for this request when the endpoint names none."""
    area = (request.blueprint or "api").split(".")[-1]
    return f"{area}:{'read' if request.method in SAFE_METHODS else 'write'}"


def require(*roles: Role, scope: str | None = None):
    """Decorator: the request must come from a user with one of ``roles`` (any if none),
    and, with a token, a token granting ``scope`` (by default ``<blueprint>:read`` for
    GET, ``<blueprint>:write`` otherwise; see :mod:`courier.tokens`).

    The user is put in ``g.user`` for the view.
    """

    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = authenticate()
            if user is None:
                raise Unauthorized("authentication required: Authorization: Bearer <token>")
            if roles and user.role not in roles:
                allowed = ", ".join(r.value for r in roles)
                raise Forbidden(f"this needs the role {allowed}; you are {user.role.value}")
            token = g.get("api_token")
            if token is not None:
                needed = scope or needed_scope()
                if not granted(token.scopes, needed):
                    raise Forbidden(f"this token lacks the scope {needed}", {"scope": needed})
            g.user = user
            return view(*args, **kwargs)

        return inner

    return wrap
