"""Who is asking: a bearer token (shop software, scripts, the courier app) or the
logged-in session of a page (then with a CSRF token on every change)."""

from __future__ import annotations

import functools
from datetime import timedelta

from flask import g, request
from flask_login import current_user

from courier.errors import Forbidden, Unauthorized
from courier.extensions import csrf, db, login_manager
from courier.models import ApiToken, Role, User, utcnow

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def token_user(secret: str) -> User | None:
    """The active user owning the API token ``secret``, if it is valid."""
    token = ApiToken.lookup(db.session, secret)
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return token.user


def authenticate() -> User | None:
    """The user behind this request, or None. A bad token is an error, not anonymity."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("use Authorization: Bearer <token>")
        user = token_user(secret.strip())
        if user is None:
            raise Unauthorized("invalid or revoked token")
        return user
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        return current_user._get_current_object()
    return None


def require(*roles: Role):
    """Decorator: the request must come from a user with one of ``roles`` (any if none).

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
            g.user = user
            return view(*args, **kwargs)

        return inner

    return wrap
