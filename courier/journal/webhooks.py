"""The shops' webhooks, as a transactional outbox: each job event a shop's endpoints
listen for becomes a delivery row written when the transaction commits (no message for
a change that rolled back, no change without its message);
:mod:`courier.shops.sender` sends them later, signed."""

from __future__ import annotations

import json
import secrets
import threading

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.base import NO_VALUE

from courier import privacy
from courier.models import Event, Job, WebhookDelivery, WebhookEndpoint, utcnow
from courier.outbox import wake_after_commit
from courier.schemas import dump_job

JOB_EVENTS = {a: f"job.{a}" for a in
              ("created", "offered", "accepted", "picked_up", "delivered", "failed", "returned",
               "cancelled", "delayed")}
EVENT_TYPES = sorted(JOB_EVENTS.values())
WAKE = "courier.webhooks.wake"  # session flag: deliveries were queued, wake the sender
_KEY = "courier.webhooks"
wake = threading.Event()  # set after a commit that queued deliveries: the sender looks now


def note(session, ev: Event, job: Job) -> None:
    """Called where a job's event is recorded: a delivery goes to each endpoint of
    the shop that listens for it, written when the transaction commits."""
    if ev.action not in JOB_EVENTS:
        return
    if isinstance(session, scoped_session):
        session = session()
    session.info.setdefault(_KEY, []).append((ev, job))


def _payload(ev: Event, job: Job) -> str:
    with privacy.audience(job.merchant.user):  # the shop's own endpoints: its own job
        job_data = dump_job(job)
    return json.dumps({
        "type": JOB_EVENTS[ev.action], "timestamp": (ev.at or utcnow()).isoformat(),
        "data": {"event": {"id": ev.id, "action": ev.action, "from_status": ev.from_status,
                           "to_status": ev.to_status, "reason": ev.reason},
                 "job": job_data}}, ensure_ascii=False, separators=(",", ":"))


def message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _known_without_endpoints(job: Job) -> bool:
    """Whether the job's shop, as already loaded in this session, has no active endpoint
    (``Merchant.has_webhooks``): then there is nothing to look up."""
    merchant = inspect(job).attrs.merchant.loaded_value
    if merchant is NO_VALUE or merchant is None:
        return False
    return inspect(merchant).attrs.has_webhooks.loaded_value is False


@event.listens_for(Session, "before_commit")
def _write_deliveries(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(_KEY):
        return
    session.flush()
    notes = [(ev, job) for ev, job in session.info.pop(_KEY) if inspect(ev).persistent]
    shops = {job.merchant_id for _, job in notes if not _known_without_endpoints(job)}
    if not shops:
        return
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for ep in session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.merchant_id.in_(shops), WebhookEndpoint.active.is_(True))):
        endpoints.setdefault(ep.merchant_id, []).append(ep)
    for ev, job in notes:
        listeners = [ep for ep in endpoints.get(job.merchant_id, ())
                     if JOB_EVENTS[ev.action] in ep.events]
        if not listeners:
            continue
        body = _payload(ev, job)
        for ep in listeners:
            session.add(WebhookDelivery(endpoint_id=ep.id, message_id=message_id(),
                                        event_type=JOB_EVENTS[ev.action], job_id=job.id,
                                        event_id=ev.id, payload=body))
        session.info[WAKE] = True


wake_after_commit(_KEY, WAKE, wake)
