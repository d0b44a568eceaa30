"""Live messages that go out only once the change they describe is committed.

Operations call :func:`publish` while they work; the messages wait in the
session and are handed to the sender registered by the app (Socket.IO) right
after the commit, or dropped on rollback. Dispatch never imports the web layer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)
_KEY = "courier.outbox"
_KEYED = "courier.outbox.keyed"  # (name, key, room) -> its place in the box
_sender: Callable[[str, dict, str], None] | None = None


def set_sender(sender: Callable[[str, dict, str], None] | None) -> None:
    """Register ``sender(event, payload, room)``, called after each commit (``room`` is a
    room's name, or a list of them for one message to several rooms)."""
    global _sender
    _sender = sender


def publish(session: Session, name: str, payload: dict, *rooms: str, key=None) -> None:
    """Queue ``name`` with ``payload`` for each room, to go out after commit. With a
    ``key`` (a job's id), a message of the same name and key already waiting for a room
    takes this payload in its place: a job told twice in one transaction (moved, then
    given a new ETA) is told once, as it ends."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any write still drops the messages
    box = session.info.setdefault(_KEY, [])
    keyed = session.info.setdefault(_KEYED, {})
    for room in rooms:
        at = keyed.get((name, key, room)) if key is not None else None
        if at is not None:
            box[at] = (name, payload, room)
            continue
        if key is not None:
            keyed[(name, key, room)] = len(box)
        box.append((name, payload, room))


def pending(session: Session) -> list:
    return list(session.info.get(_KEY, []))


@event.listens_for(Session, "after_commit")
def _flush(session: Session) -> None:
    session.info.pop(_KEYED, None)
    box = session.info.pop(_KEY, [])
    if not box or _sender is None:
        return
    name, payload, _ = box[0]
    if all(m[0] == name and m[1] is payload for m in box):
        # One message for several rooms (a new job to its shop and to dispatch): one emit,
        # one publish on the message queue, and a reader in two of the rooms hears it once.
        rooms = sorted(dict.fromkeys(m[2] for m in box), key=lambda r: _urgency((name, None, r)))
        _send(name, payload, rooms if len(rooms) > 1 else rooms[0])
        return
    for name, payload, room in sorted(box, key=_urgency):
        _send(name, payload, room)


def _send(name: str, payload: dict, room: str | list[str]) -> None:
    try:
        _sender(name, payload, room)
    except Exception:  # a dead socket must not undo a committed change
        log.exception("could not emit %s to %s", name, room)


def _urgency(message: tuple) -> int:
    """Who hears first when one commit sends many messages (a dispatch cycle offering
    runs to 200 couriers): each courier's own offers and runs, then the other personal
    rooms (shops), then the dispatch board. The order within each room is kept."""
    name, _, room = message
    if room.startswith("user:"):
        return 0 if name.startswith("run.") else 1
    return 2


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_KEY, None)
        session.info.pop(_KEYED, None)


class SenderLoop:
    """A thread that sends what an outbox table holds: it calls ``send_due()`` in an app
    context, and when nothing was due waits for ``wake`` to be set (or ``poll_s``). The
    webhook, push and message senders each run one: ``Loop(...).start()``, ``.stop()``."""

    def __init__(self, app, name: str, send_due: Callable[[], int], wake, poll_s: float):
        self.app, self.name, self.send_due = app, name, send_due
        self.wake, self.poll_s = wake, poll_s
        self._stopping = threading.Event()
        self.thread = None

    def start(self) -> SenderLoop:
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.thread.start()
        log.info("%s started", self.name)
        return self

    def _run(self) -> None:
        from courier.extensions import db

        while not self._stopping.is_set():
            sent = 0
            with self.app.app_context():
                try:
                    sent = self.send_due()
                except Exception:
                    log.exception(self.name)
                    db.session.rollback()
                finally:
                    db.session.remove()
            if not sent:
                self.wake.wait(self.poll_s)
                self.wake.clear()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)


def wake_after_commit(key: str, wake_key: str, wake) -> None:
    """Wire an outbox table's session hooks: set ``wake`` (its sender's event) after a
    commit that wrote to it (``session.info[wake_key]``), and forget what the session
    held for it (``key``, ``wake_key``) when the outer transaction rolls back."""

    @event.listens_for(Session, "after_commit")
    def _wake_sender(session: Session) -> None:
        if session.info.pop(wake_key, False):
            wake.set()

    @event.listens_for(Session, "after_soft_rollback")
    def _drop(session: Session, previous_transaction) -> None:
        if previous_transaction.parent is None:
            session.info.pop(key, None)
            session.info.pop(wake_key, None)
