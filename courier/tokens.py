"""API tokens with scopes: issue, list and revoke them.

A token carries space-separated scopes. ``area:read`` / ``area:write`` grant one kind
of call in one area of the API (``jobs:read``, ``jobs:write``, ``courier:write``,
``runs:write``, ``dispatch:write``, ``tokens:read``...), a bare ``area`` grants both,
and ``*`` grants everything the user's role may do. An endpoint needs
``<its blueprint>:read`` for GET and ``<its blueprint>:write`` otherwise, unless it
names another scope. Scopes narrow a role, never widen it: a shop's token with
``dispatch`` still cannot dispatch. A logged-in page has every scope of its user.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from courier.errors import InvalidInput, NotFound
from courier.extensions import db
from courier.models import ApiToken, User, utcnow

SCOPE = re.compile(r"^(\*|[a-z][a-z_]{0,30}(:(read|write))?)$")
ALL = "*"


def granted(token_scopes: str | None, needed: str) -> bool:
    """Whether a token with ``token_scopes`` may make a call that needs ``needed``."""
    have = set((token_scopes or "").split())
    return ALL in have or needed in have or needed.split(":")[0] in have


def parse_scopes(scopes: list[str]) -> str:
    """The stored form of ``scopes`` (validated, deduplicated, space-separated)."""
    bad = [s for s in scopes if not isinstance(s, str) or not SCOPE.match(s)]
    if bad or not scopes:
        raise InvalidInput("scopes look like jobs:read, jobs:write, courier or *",
                           {"scopes": f"invalid: {bad}" if bad else "give at least one"})
    return " ".join(dict.fromkeys(scopes))


def issue(user: User, name: str, scopes: list[str], granter_scopes: str | None) -> tuple:
    """A new token for ``user``: ``(row, secret)``. ``granter_scopes`` are the scopes of
    the token making the call (None for a logged-in page): a token can only hand out
    scopes it has itself."""
    wanted = parse_scopes(scopes)
    if granter_scopes is not None:
        missing = [s for s in wanted.split() if not granted(granter_scopes, s)]
        if missing:
            raise InvalidInput("a token cannot grant scopes it does not have",
                               {"scopes": f"not yours to grant: {missing}"})
    token, secret = ApiToken.issue(user, name=name.strip(), scopes=wanted)
    db.session.add(token)
    db.session.flush()
    return token, secret


def of(user: User) -> list[ApiToken]:
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.id)).all()


def revoke(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens (at once: every request checks). Someone else's
    token is answered as unknown."""
    token = db.session.get(ApiToken, token_id) if 0 <= token_id < 2**31 else None
    if token is None or token.user_id != user.id:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token
