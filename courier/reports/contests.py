"""Contesting a decision: a courier comments on an event about them (an offer, a
non-offer, a warning); the council sees every contest and answers it.

Decisions are the events whose ``courier_id`` is the courier's: the offers of
their runs, the reasons they got no offer, the rules' warnings about them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courier import outbox
from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.fairwork.models import Contest, ContestAnswer
from courier.journal import DISPATCH_ROOM, user_room
from courier.models import Courier, Event, Role, User, utcnow

DECISIONS = ("offered", "not_offered", "rule_warning", "declined", "offer_expired",
             "shift_started", "shift_ended", "time_corrected", "reassigned")


def _body(text: str) -> str:
    if not text or not text.strip():
        raise InvalidInput("write what you contest", {"body": "required"})
    if len(text) > 2000:
        raise InvalidInput("at most 2000 characters", {"body": "at most 2000 characters"})
    return text.strip()


def decisions(courier: Courier, limit: int = 50) -> list[Event]:
    """The latest decisions about ``courier``, newest first."""
    return list(db.session.scalars(select(Event).where(
        Event.courier_id == courier.id, Event.action.in_(DECISIONS))
        .order_by(Event.id.desc()).limit(limit)))


def contest(user: User, event: Event, body: str, now: datetime | None = None) -> Contest:
    """The courier contests ``event``, a decision about them."""
    if user.role != Role.COURIER or user.courier is None:
        raise Forbidden("only couriers contest decisions about them")
    if event.courier_id != user.courier.id:
        raise Forbidden("this decision is not about you")
    c = Contest(event_id=event.id, courier_id=user.courier.id, author_id=user.id,
                body=_body(body), created_at=now or utcnow())
    db.session.add(c)
    db.session.flush()
    outbox.publish(db.session, "contest.opened", {"id": c.id, "event_id": event.id},
                   DISPATCH_ROOM)
    return c


def answer(user: User, c: Contest, body: str, now: datetime | None = None) -> ContestAnswer:
    """The council answers a contest (the courier is told live)."""
    if user.role != Role.COUNCIL:
        raise Forbidden("only the council answers contests")
    a = ContestAnswer(contest_id=c.id, author_id=user.id, body=_body(body),
                      created_at=now or utcnow())
    db.session.add(a)
    db.session.flush()
    db.session.refresh(c)
    courier = db.session.get(Courier, c.courier_id)
    outbox.publish(db.session, "contest.answered", {"id": c.id, "event_id": c.event_id},
                   user_room(courier.user_id))
    return a


def visible(user: User, status: str | None = None) -> list[Contest]:
    """Contests ``user`` may read: all for the council, their own for a courier."""
    q = select(Contest).options(selectinload(Contest.answers), selectinload(Contest.event))
    if user.role == Role.COURIER:
        if user.courier is None:
            return []
        q = q.where(Contest.courier_id == user.courier.id)
    elif user.role != Role.COUNCIL:
        raise Forbidden("only the council and couriers read contests")
    rows = list(db.session.scalars(q.order_by(Contest.id.desc())))
    return [c for c in rows if status is None or c.status == status]
