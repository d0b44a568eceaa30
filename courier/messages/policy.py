"""Which messages a shop's recipients are sent, and the coop's limit per recipient."""

from __future__ import annotations

from courier import settings
from courier.errors import InvalidInput
from courier.extensions import db
from courier.models import Merchant, MessageKind, MessagePolicy, User

KINDS = tuple(k.value for k in MessageKind)
MAX_PER_HOUR = 60


def kinds_of(merchant: Merchant | None) -> list[str]:
    """The kinds of message the shop sends (none unless it chose some)."""
    row = db.session.get(MessagePolicy, merchant.id) if merchant is not None else None
    return [k for k in KINDS if row is not None and k in (row.kinds or [])]


def choose(user: User, kinds: list[str]) -> list[str]:
    """The shop of ``user`` chooses the messages its recipients get (flushed)."""
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise InvalidInput(f"unknown kinds of message: {', '.join(map(str, bad))}",
                           {"kinds": f"each one of {', '.join(KINDS)}"})
    row = db.session.get(MessagePolicy, user.merchant.id)
    if row is None:
        row = MessagePolicy(merchant_id=user.merchant.id)
        db.session.add(row)
    row.kinds = [k for k in KINDS if k in kinds]
    db.session.flush()
    return row.kinds


def per_hour() -> int:
    """At most this many messages to one address in an hour (the coop's setting)."""
    return int(settings.get("messages_per_hour"))


def set_per_hour(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PER_HOUR:
        raise InvalidInput(f"per_hour must be between 1 and {MAX_PER_HOUR}",
                           {"per_hour": "out of range"})
    settings.put("messages_per_hour", value)
    return value
