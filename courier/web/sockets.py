"""Socket.IO: who may connect, and which rooms they listen in.

A client proves who it is on connect, with ``auth={"token": ...}`` or the
session cookie of a logged-in page; anything else is refused. Each user joins
their own room (``user:<id>``); dispatchers and the council also join
``dispatch``. Messages themselves go out from :mod:`courier.outbox` after commit.
A courier also gets ``runs.current`` (their offered and accepted runs) on every
connect, so that reconnecting after a lost connection or a restart restores them.
A recipient's tracking page connects with its link's token (``auth={"track": ...}``)
and joins that job's room alone (:func:`courier.tracking.room`).

A connection opened with a page's session also joins ``pages:<id>`` and its session's own
``login:<session id>``, and is listed (in Redis beside the message queue, so that every web
process knows it): when a session ends (logout), or all of the user's (a new password, a
role change, "log out everywhere"), ``end_page_sockets`` disconnects those connections,
in whichever web process holds them; a connection opened with an API token stays, as the
token does.
"""

from __future__ import annotations

import logging

from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, rooms
from redis import Redis, RedisError
from sqlalchemy import select

from courier import privacy, tracking
from courier.errors import DomainError
from courier.extensions import db, socketio
from courier.journal import DISPATCH_ROOM, user_room
from courier.models import Role, Run, RunStatus
from courier.schemas import dump_run
from courier.web.auth import this_session, token_user

log = logging.getLogger(__name__)


def _connect(auth=None):
    if isinstance(auth, dict) and "track" in auth:
        return _connect_tracking(auth["track"])
    user = None
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:
        user = token_user(str(token))
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
        _keep_page_socket(user.id, this_session() or "")
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


def _connect_tracking(token) -> None:
    """A recipient's tracking page, with no login: the link's token lets it hear that
    one job's public view (``track.updated``), and nothing else."""
    try:
        job = tracking.find(str(token))
    except DomainError:  # unknown or expired
        raise ConnectionRefusedError("unknown or expired tracking link") from None
    join_room(tracking.room(job))
    socketio.emit("track.updated", tracking.public_view(job), to=request.sid)


def _send_current_runs(courier_id: int) -> None:
    """A courier (re)connecting gets their offered and accepted runs at once: an
    offer or a run announced while they were away, or while a process restarted, is
    not lost to them."""
    runs = db.session.scalars(select(Run).where(
        Run.courier_id == courier_id,
        Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED])).order_by(Run.id)).all()
    socketio.emit("runs.current", {"runs": [dump_run(r) for r in runs]}, to=request.sid)


PAGES = "pages:"  # the room of a user's connections opened with a page's session
LOGIN = "login:"  # the room of the connections of one page session
KEEP = 7 * 86400  # seconds an idle list of them is kept (every connection renews it)


def _keep_page_socket(user_id: int, session_id: str) -> None:
    """Join the user's and the session's rooms, and list the connection as
    ``"<session id> <connection id>"`` under the user."""
    join_room(f"{PAGES}{user_id}")
    join_room(f"{LOGIN}{session_id}")
    shared = _shared()
    if shared is not None:
        key = _key(user_id)
        try:
            shared.pipeline().sadd(key, f"{session_id} {request.sid}").expire(key, KEEP).execute()
        except RedisError as err:  # (then only this process can end it)
            log.warning("could not list page connection %s: %s", request.sid, err)


def _disconnect(reason=None) -> None:
    shared = _shared()
    joined = rooms()
    users = [r.removeprefix(PAGES) for r in joined if r.startswith(PAGES)]
    logins = [r.removeprefix(LOGIN) for r in joined if r.startswith(LOGIN)]
    if shared is None or not users:
        return
    try:
        shared.srem(_key(int(users[0])), f"{(logins or [''])[0]} {request.sid}")
    except RedisError:  # it expires with its list
        pass


def end_page_sockets(user_id: int, session_id: str | None = None) -> int:
    """Disconnect the live connections a page of ``user_id`` opened with its session, in
    every web process, after the commit that ended that session
    (:func:`courier.accounts.end_session`), or all of them (``session_id`` None, after
    :func:`courier.accounts.end_sessions`); they are told first (``session.ended``).
    Returns how many were asked to close."""
    room = f"{PAGES}{user_id}" if session_id is None else f"{LOGIN}{session_id}"
    sids = {sid for sid, _ in socketio.server.manager.get_participants("/", room)}
    shared = _shared()
    if shared is not None:
        key = _key(user_id)
        try:
            listed = [m.decode() for m in shared.smembers(key)]
            ended = [m for m in listed if session_id is None or m.split(" ")[0] == session_id]
            if ended:
                shared.srem(key, *ended)
            sids.update(m.rpartition(" ")[2] for m in ended)
        except RedisError as err:  # the sessions are ended all the same
            log.warning("could not read the page connections of user %s: %s", user_id, err)
    socketio.emit("session.ended", {}, to=room)
    for sid in sids:  # one held by another process: the message queue carries it there
        socketio.server.disconnect(sid, namespace="/")
    return len(sids)


def _shared():
    """The Redis of the message queue, where every web process lists its page
    connections; None without one (a single process: its rooms are the whole list)."""
    url = current_app.config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = current_app.extensions.get("courier.page_sockets")
    if client is None:
        client = current_app.extensions["courier.page_sockets"] = Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2)
    return client


def _key(user_id: int) -> str:
    return f"{current_app.config['SOCKETIO_CHANNEL']}-pages:{user_id}"


def register() -> None:
    socketio.on_event("connect", _connect)
    socketio.on_event("disconnect", _disconnect)
