"""Offers that reach a phone in a pocket: what a courier's devices are sent by Web Push.

Where a run is announced (:func:`courier.journal.announce_run`), its courier's devices
are noted for a push: an offer, an offer withdrawn (expired, cancelled, moved to
someone else), or a ridden run changed by a re-plan. When the transaction commits, one
message per device is written (a transactional outbox: no push for a change that rolled
back), and the worker's sender (:mod:`courier.journal.push_send`) sends it.

The payload says what the notification shows and nothing a push service should not
see, though it is encrypted for the device alone (RFC 8291): how many jobs, km, kg,
until when, why in a plain phrase; no address, no name, no recipient. The page fetches
the rest over the authenticated API.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, scoped_session

from courier.models import (
    PushMessage,
    PushStatus,
    PushSubscription,
    Run,
    RunStatus,
    StopKind,
    utcnow,
)
from courier.outbox import wake_after_commit

_KEY = "courier.push"
WAKE = "courier.push.wake"
wake = threading.Event()  # set after a commit that queued pushes: the sender looks now
OFFER, WITHDRAWN, CHANGED = "offer", "withdrawn", "changed"


def kind_for(run: Run, name: str) -> str | None:
    """The push an announcement makes: an offer, or an offer withdrawn by anyone but
    its courier (who declined it on the device in their hand)."""
    if name == "run.offered":
        return OFFER
    if name == "run.cancelled" and run.status != RunStatus.DECLINED:
        return WITHDRAWN
    return None


def note(session, run: Run, kind: str | None) -> None:
    """Push ``kind`` about ``run`` to its courier's devices once the transaction commits
    (the last news of a run in one transaction is the one sent)."""
    if kind is None or run.courier is None:
        return
    if isinstance(session, scoped_session):
        session = session()
    notes = session.info.setdefault(_KEY, {})
    notes.pop(run.id, None)
    notes[run.id] = (run, kind)


@event.listens_for(Session, "before_commit")
def _write_messages(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(_KEY):
        return
    notes = list(session.info.pop(_KEY).values())
    users = {run.courier.user_id for run, _ in notes}
    devices: dict[int, list[PushSubscription]] = {}
    for sub in session.scalars(select(PushSubscription).where(
            PushSubscription.user_id.in_(users)).order_by(PushSubscription.id)):
        devices.setdefault(sub.user_id, []).append(sub)
    if not devices:
        return
    now = utcnow()
    for run, kind in notes:
        mine = devices.get(run.courier.user_id, [])
        if kind == WITHDRAWN:
            mine = [s for s in mine if _offer_reached(session, run, s)]
        if not mine:
            continue
        expires = _expiry(run, kind, now)
        if expires <= now:
            continue
        payload = json.dumps(message(run, kind), ensure_ascii=False, separators=(",", ":"))
        for sub in mine:
            session.add(PushMessage(subscription_id=sub.id, run_id=run.id, kind=kind,
                                    urgency=_urgency(run, kind), payload=payload,
                                    expires_at=expires, next_attempt_at=now, created_at=now))
        session.info[WAKE] = True


def _offer_reached(session: Session, run: Run, sub: PushSubscription) -> bool:
    """Whether the device may be showing this run: a run taken from its rider always
    is; an offer still waiting to go is dropped instead (nothing to withdraw then)."""
    if run.accepted_at is not None:
        return True
    session.execute(
        update(PushMessage).where(PushMessage.subscription_id == sub.id,
                                  PushMessage.run_id == run.id, PushMessage.kind == OFFER,
                                  PushMessage.status == PushStatus.PENDING)
        .values(status=PushStatus.DROPPED).execution_options(synchronize_session=False))
    return session.scalar(select(PushMessage.id).where(
        PushMessage.subscription_id == sub.id, PushMessage.run_id == run.id,
        PushMessage.kind == OFFER, PushMessage.attempts > 0).limit(1)) is not None


def _expiry(run: Run, kind: str, now):
    """An offer is worth nothing once it lapses: its TTL ends with it. News of a run
    (withdrawn, changed) is kept by the push service for ``PUSH_NOTICE_TTL``."""
    if kind == OFFER:
        return run.expires_at
    return now + timedelta(seconds=int(current_app.config["PUSH_NOTICE_TTL"]))


def _urgency(run: Run, kind: str) -> str:
    """Offers and changes to a run being ridden wake the phone at once (RFC 8030
    ``Urgency: high``); an offer lapsing unanswered may wait for the phone to wake."""
    if kind == WITHDRAWN and run.accepted_at is None:
        return "normal"
    return "high"


def message(run: Run, kind: str) -> dict:
    """What the device is sent: figures, and the words of the notification in the
    courier's language (the service worker has no catalogue of its own)."""
    user = run.courier.user
    lang = user.locale if user.locale in current_app.config["LANGUAGES"] else \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    jobs = len({s.job_id for s in run.stops})
    km = round((run.distance_m or 0) / 1000, 1)
    kg = round(sum(s.job.weight_kg or 0 for s in run.stops if s.kind == StopKind.PICKUP), 1)
    data = {"v": 1, "kind": kind, "run": run.id, "jobs": jobs, "km": km, "kg": kg,
            "expires_at": run.expires_at.isoformat() if run.expires_at else None,
            "url": "/courier"}
    with force_locale(lang):
        figures = gettext("%(km)s km · %(kg)s kg", km=format_decimal(km, "#,##0.#", lang),
                          kg=format_decimal(kg, "#,##0.#", lang))
        count = (gettext("{n} job") if jobs == 1 else gettext("{n} jobs")).format(n=jobs)
        if kind == OFFER:
            data["title"] = gettext("New offer: %(jobs)s", jobs=count)
            data["body"] = figures
            data["reason"] = _reason(run, lang)
            data["left"] = gettext("{left} to answer")
        elif kind == WITHDRAWN and run.accepted_at is not None:
            data["title"] = gettext("Your run was taken off your list")
            data["body"] = gettext("Open the app to see what is left for you.")
        elif kind == WITHDRAWN:
            data["title"] = (gettext("Offer expired") if run.status == RunStatus.EXPIRED
                             else gettext("Offer withdrawn"))
            data["body"] = f"{count} · {figures}"
        else:
            data["title"] = gettext("Your run changed")
            data["body"] = f"{count} · {figures}"
        data["labels"] = {
            "accept": gettext("Accept"), "decline": gettext("Decline"),
            "accepted": gettext("Run accepted: open it to see your stops."),
            "declined": gettext("Offer declined."),
            "failed": gettext("Could not answer from the notification: open the app."),
            "gone": gettext("This offer is no longer open: it lapsed or was withdrawn."),
        }
    data["lang"] = lang
    data["quiet"] = kind == WITHDRAWN and run.accepted_at is None  # nothing to act on
    return data


def _reason(run: Run, lang: str) -> str:
    """Why the run went to this courier, without names or a dispatcher's own words: the
    plan's reason ("nearest courier on shift, 2.1 km away"), or "assigned by dispatch"."""
    phrase = run.reason_phrase or {}
    while phrase.get("template") == "{first}; {rest}":
        phrase = phrase["values"].get("first") or {}
    why = (phrase.get("values") or {}).get("why")
    if phrase.get("template", "").startswith("offered to") and why is not None:
        return _say(why, lang)
    return gettext("assigned by dispatch")


def _say(p, lang: str) -> str:
    """A phrase of :mod:`courier.texts` (as stored) in the current language."""
    if not isinstance(p, dict) or not isinstance(p.get("template"), str):
        return str(p)
    values = {}
    for k, v in (p.get("values") or {}).items():
        if isinstance(v, dict):
            values[k] = _say(v, lang)
        elif isinstance(v, str) and v.replace(".", "", 1).isdigit() and "." in v:
            values[k] = format_decimal(float(v), "#,##0.##", lang)
        else:
            values[k] = v
    try:
        return gettext(p["template"]).format(**values)
    except (KeyError, IndexError, ValueError):
        return gettext(p["template"])


wake_after_commit(_KEY, WAKE, wake)
