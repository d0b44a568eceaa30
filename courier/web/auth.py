"""Who is asking: a bearer token (shop software, scripts, the courier app) or the
logged-in session of a page (then with a CSRF token on every change)."""

from __future__ import annotations

import functools
from datetime import timedelta

from flask import g, request
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from courier.errors import Forbidden, Unauthorized
from courier.extensions import csrf, db, login_manager
from courier.models import ApiToken, Role, User, utcnow
from courier.models.users import hash_token
from courier.tokens import granted

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


_user = joinedload(ApiToken.user)
# Built once (this runs on every API call): the token with its user and the user's shop or
# courier, in one query.
_TOKEN = (select(ApiToken)
          .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
          .options(_user.joinedload(User.merchant), _user.joinedload(User.courier)))


def valid_token(secret: str) -> ApiToken | None:
    """The API token ``secret``, if it is valid and its user active."""
    token = db.session.scalars(_TOKEN, {"token_hash": hash_token(secret)}).unique().first()
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return token


def token_user(secret: str) -> User | None:
    """The active user owning the API token ``secret``, if it is valid."""
    token = valid_token(secret)
    return token.user if token is not None else None


def authenticate() -> User | None:
    """The user behind this request, or None. A bad token is an error, not anonymity."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("use Authorization: Bearer <token>")
        token = valid_token(secret.strip())
        if token is None:
            raise Unauthorized("invalid or revoked token")
        g.api_token = token
        return token.user
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
