"""Socket.IO: who may connect, and which rooms they listen in.

A client proves who it is on connect, with ``auth={"token": ...}`` or the
session cookie of a logged-in page; anything else is refused. Each user joins
their own room (``user:<id>``); dispatchers and the council also join
``dispatch``. Messages themselves go out from :mod:`courier.outbox` after commit.
A courier also gets ``runs.current`` (their offered and accepted runs) on every
connect, so that reconnecting after a lost connection or a restart restores them.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from sqlalchemy import select

from courier import privacy
from courier.extensions import db, socketio
from courier.journal import DISPATCH_ROOM, user_room
from courier.models import Role, Run, RunStatus
from courier.schemas import dump_run
from courier.web.auth import token_user


def _connect(auth=None):
    user = None
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:
        user = token_user(str(token))
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    if user is None:
        raise ConnectionRefusedError("unauthorized: give auth={token} or log in")
    join_room(user_room(user.id))
    if user.role in (Role.DISPATCHER, Role.COUNCIL):
        join_room(DISPATCH_ROOM)
    socketio.emit("hello", {"user_id": user.id, "role": user.role.value, "sid": request.sid},
                  to=request.sid)
    if user.role == Role.COURIER and user.courier is not None:
        with privacy.audience(user):  # their own runs: recipients of the jobs they carry
            _send_current_runs(user.courier.id)


def _send_current_runs(courier_id: int) -> None:
    """A courier (re)connecting gets their offered and accepted runs at once: an
    offer or a run announced while they were away, or while a process restarted, is
    not lost to them."""
    runs = db.session.scalars(select(Run).where(
        Run.courier_id == courier_id,
        Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED])).order_by(Run.id)).all()
    socketio.emit("runs.current", {"runs": [dump_run(r) for r in runs]}, to=request.sid)


def register() -> None:
    socketio.on_event("connect", _connect)
