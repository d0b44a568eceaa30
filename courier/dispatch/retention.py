"""How long a recipient's personal data is kept, for every job (docs/privacy.md).

The council sets a retention period (``retention_days``, 30 by default). Once a job has
been delivered, has failed or was cancelled that long ago, the worker erases its
recipient: name, phone, e-mail, the shop's code for the door, the drop-off's address,
the notes, the proof files, the tracking link (and the code derived from it), the copies
in the shop's webhook messages, in a food hub's round orders and in the ask of a partner
coop that handed the job to us.
What the coop's figures need stays: times, distance, price, status, who rode it, and the
drop-off's position rounded to about 100 m.

A recipient may ask, by phone or e-mail, what is kept about them, or that it be erased
now: the council serves it from its page, and each request is written in the event log
(who asked for what, the jobs concerned, never the phone or the e-mail themselves).
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select

from courier import privacy, settings
from courier.clock import Every
from courier.errors import InvalidInput
from courier.extensions import db
from courier.journal import record
from courier.messages import outbox as messages
from courier.models import (
    FederationMessage,
    Handoff,
    Job,
    JobStatus,
    Redaction,
    RunStop,
    StopKind,
    User,
    WebhookDelivery,
    utcnow,
)
from courier.proofs import keep
from courier.solidarity.models import RoundOrder

DEFAULT_DAYS = 30
MAX_DAYS = 3650
ENDED = (JobStatus.DELIVERED, JobStatus.FAILED, JobStatus.CANCELLED)
# the recipient's own columns of a job, those the model has (e-mail comes with messages)
PERSONAL = ("recipient_name", "recipient_phone", "recipient_email", "recipient_code", "notes",
            "dropoff_address")
COARSE_DECIMALS = 3  # about 110 m of latitude, 80 m of longitude in France
BATCH = 200  # jobs redacted per pass of the worker
ENDED_AT = func.coalesce(Job.delivered_at, Job.updated_at)
_sweeps = Every()


def days() -> int:
    value = settings.get("retention_days")
    return DEFAULT_DAYS if value is None else int(value)


def set_days(value: int) -> int:
    """The council's retention period, in days after a job ended (flushed)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_DAYS}", {"days": "out of range"})
    settings.put("retention_days", value)
    return value


def _columns() -> list[str]:
    return [c for c in PERSONAL if c in Job.__table__.c]


def _not_redacted():
    return ~exists().where(Redaction.job_id == Job.id)


def due(now: datetime | None = None, limit: int = BATCH) -> list[Job]:
    """Ended jobs whose retention period is over and whose recipient is still kept."""
    cutoff = (now or utcnow()) - timedelta(days=days())
    return list(db.session.scalars(
        select(Job).where(Job.status.in_(ENDED), ENDED_AT < cutoff, _not_redacted())
        .order_by(Job.id).limit(limit)))


def redact(job: Job, actor: User | None, reason: str) -> None:
    """Erase ``job``'s recipient (``reason``: "retention" or "request"), flushed."""
    for column in _columns():
        setattr(job, column, None if Job.__table__.c[column].nullable else "")
    job.dropoff_lat = round(job.dropoff_lat, COARSE_DECIMALS)
    job.dropoff_lon = round(job.dropoff_lon, COARSE_DECIMALS)
    job.tracking_token = None
    for stop in db.session.scalars(select(RunStop).where(
            RunStop.job_id == job.id, RunStop.kind == StopKind.DROPOFF)):
        stop.lat, stop.lon = round(stop.lat, COARSE_DECIMALS), round(stop.lon, COARSE_DECIMALS)
    for order in db.session.scalars(select(RoundOrder).where(RoundOrder.job_id == job.id)):
        order.customer = order.phone = order.address = order.notes = ""
        order.lat, order.lon = round(order.lat, COARSE_DECIMALS), round(order.lon,
                                                                        COARSE_DECIMALS)
    for delivery in db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.job_id == job.id)):
        delivery.payload = _redacted_payload(delivery.payload)
    _forget_asks(job)
    messages.forget(job)  # the address and words of the messages sent to the recipient
    files = keep.remove(job)
    db.session.add(Redaction(job_id=job.id, reason=reason))
    record(actor, "privacy", "redacted", job=job, reason=f"personal data erased ({reason})",
           data={"reason": reason, "files": files})
    db.session.flush()


def _redacted_payload(payload: str) -> str:
    try:
        body = json.loads(payload)
    except ValueError:
        return "{}"
    inner = (body.get("data") or {}).get("job") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        privacy.redact_job(inner)
        if inner.get("dropoff"):
            inner["dropoff"]["lat"] = _round(inner["dropoff"].get("lat"))
            inner["dropoff"]["lon"] = _round(inner["dropoff"].get("lon"))
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _forget_asks(job: Job) -> None:
    """A job a partner coop handed to us came in a signed ask, kept as received (replays
    are refused by its id): its recipient, door and notes go, as from the job."""
    for handoff in db.session.scalars(select(Handoff).where(Handoff.job_id == job.id,
                                                            Handoff.direction == "in")):
        for msg in db.session.scalars(select(FederationMessage).where(
                FederationMessage.partner_id == handoff.partner_id,
                FederationMessage.direction == "in", FederationMessage.kind == "handoff.ask",
                FederationMessage.body.contains(handoff.idempotency_key))):
            msg.body = _redacted_ask(msg.body, handoff.idempotency_key)


def _redacted_ask(body: str, key: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "{}"
    if not isinstance(data, dict) or data.get("idempotency_key") != key:
        return body  # another ask that only mentions the key
    inner = data.get("job")
    if isinstance(inner, dict):
        inner["recipient"] = {"name": "", "phone": ""}
        inner["notes"] = ""
        if isinstance(inner.get("dropoff"), dict):
            place = inner["dropoff"]
            place.update(address="", lat=_round(place.get("lat")), lon=_round(place.get("lon")))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _round(value):
    return round(value, COARSE_DECIMALS) if isinstance(value, int | float) else None


def sweep(now: datetime | None = None, limit: int = BATCH) -> int:
    """One pass of the worker: redact the jobs whose period is over. Returns how many."""
    jobs = due(now, limit)
    for job in jobs:
        redact(job, None, "retention")
    return len(jobs)


def sweep_if_due(interval_s: float, clock=time.monotonic) -> int:
    """:func:`sweep`, at most once every ``interval_s`` seconds in this process."""
    return sweep() if _sweeps.due(interval_s, clock()) else 0


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-9:] if len(digits) >= 9 else digits


def find(phone: str = "", email: str = "") -> list[Job]:
    """The jobs whose recipient is this phone (compared on its last nine digits, so
    ``06 12 34 56 78`` is ``+33612345678``) or this e-mail, still kept."""
    wanted, mail = _digits(phone), (email or "").strip().lower()
    if len(wanted) < 6 and not mail:
        raise InvalidInput("give the recipient's phone (at least 6 digits) or e-mail",
                           {"phone": "required", "email": "required"})
    columns = [Job.id, Job.recipient_phone]
    has_mail = "recipient_email" in Job.__table__.c
    if has_mail:
        columns.append(Job.__table__.c.recipient_email)
    ids = []
    for row in db.session.execute(select(*columns).where(_not_redacted())):
        if wanted and len(wanted) >= 6 and _digits(row[1]) == wanted:
            ids.append(row[0])
        elif mail and has_mail and (row[2] or "").strip().lower() == mail:
            ids.append(row[0])
    orders = select(RoundOrder.job_id).where(RoundOrder.job_id.is_not(None),
                                             RoundOrder.phone != "")
    for job_id, order_phone in db.session.execute(orders.add_columns(RoundOrder.phone)):
        if wanted and _digits(order_phone) == wanted and job_id not in ids:
            ids.append(job_id)
    if not ids:
        return []
    return list(db.session.scalars(select(Job).where(Job.id.in_(ids)).order_by(Job.id)))


def kept(job: Job) -> dict:
    """What is kept about a job's recipient, as they may read it."""
    data = {c: getattr(job, c) for c in _columns()}
    data.update(job_id=job.id, shop=job.merchant.name if job.merchant else "",
                status=job.status.value, created_at=job.created_at,
                ended_at=job.delivered_at or (job.updated_at if job.status in ENDED else None),
                dropoff_lat=job.dropoff_lat, dropoff_lon=job.dropoff_lon,
                proofs=len([p for p in keep.of_job(job) if p.key]))
    return data


def see(actor: User, phone: str = "", email: str = "") -> list[dict]:
    """A recipient's request to see their data: what is kept, and an audit entry."""
    jobs = find(phone, email)
    record(actor, "privacy", "data_shown", reason="a recipient's request to see their data",
           data={"by": "phone" if phone else "email", "jobs": [j.id for j in jobs]})
    return [kept(j) for j in jobs]


def erase(actor: User, phone: str = "", email: str = "") -> dict:
    """A recipient's request to be erased: every ended job of theirs now, each with an
    audit entry; open jobs (still to deliver) are listed, to erase once they end."""
    jobs = find(phone, email)
    done = [j for j in jobs if j.status in ENDED]
    for job in done:
        redact(job, actor, "request")
    record(actor, "privacy", "data_erased", reason="a recipient's request to erase their data",
           data={"by": "phone" if phone else "email", "jobs": [j.id for j in done],
                 "open": [j.id for j in jobs if j not in done]})
    return {"erased": [j.id for j in done], "open": [j.id for j in jobs if j not in done]}
