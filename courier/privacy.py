"""Who may read a recipient's address, phone, name and the notes of a solidarity job.

The people a partner (or a food hub) sends help to are often fragile: their
address and phone are for the merchant or partner who submitted the job, and
for the courier carrying it, only while carrying it (accepted, picked up), not
after delivery. Everyone else (dispatch, the council, other couriers, other
shops, webhooks of others, live messages to the dispatch room, open data) sees
the job without them: no address, no name, no phone, no notes, no tracking
link, and the drop-off's position rounded to about a kilometre (the
neighbourhood dispatch needs to plan and watch, not the door).

Every dump of a job or a stop (:mod:`courier.schemas`) asks :func:`may_see` for
the *audience* of that dump: the user of the request by default, or the one set
with :func:`audience` (live messages to a room, webhooks). With no audience at
all the answer is no: a forgotten audience redacts rather than leaks.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import g, has_app_context, has_request_context

from courier.models import JobStatus, Role

CARRYING = (JobStatus.ACCEPTED, JobStatus.PICKED_UP)
COARSE_DECIMALS = 2  # about 1.1 km of latitude, 0.8 km of longitude in France


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    courier_id: int | None = None


NOBODY = Viewer(None)
_UNSET = object()
_audience: ContextVar = ContextVar("courier_privacy_audience", default=_UNSET)


def viewer_of(user) -> Viewer:
    if user is None:
        return NOBODY
    courier = user.courier if user.role == Role.COURIER else None
    return Viewer(user.id, courier.id if courier is not None else None)


@contextmanager
def audience(user):
    """Dumps inside are for ``user`` (None: for nobody in particular, e.g. the
    dispatch room), whoever made the request."""
    token = _audience.set(viewer_of(user))
    try:
        yield
    finally:
        _audience.reset(token)


def current() -> Viewer:
    found = _audience.get()
    if found is not _UNSET:
        return found
    if has_request_context() and has_app_context() and g.get("user") is not None:
        return viewer_of(g.user)
    return NOBODY


def protected(job) -> bool:
    """Whether ``job``'s recipient is kept private (solidarity work)."""
    return bool(getattr(job, "solidarity", False))


def may_see(job, viewer: Viewer | None = None) -> bool:
    """Whether ``viewer`` (default: the current audience) may read the recipient."""
    if not protected(job):
        return True
    v = viewer or current()
    if v.user_id is None:
        return False
    if job.merchant is not None and job.merchant.user_id == v.user_id:
        return True
    return (v.courier_id is not None and job.courier_id == v.courier_id
            and job.status in CARRYING)


OFFERED_ONLY = (JobStatus.PENDING, JobStatus.OFFERED)


def may_call(job, viewer: Viewer | None = None) -> bool:
    """Whether ``viewer`` may read the recipient's phone number: a courier only once they
    have accepted the job (an offer they may still decline does not carry it); anyone
    else as :func:`may_see` says."""
    v = viewer or current()
    if v.courier_id is not None and job.status in OFFERED_ONLY:
        return False
    return may_see(job, v)


def withhold_phone(recipient: dict | None) -> dict | None:
    """A dumped recipient without the phone number (in place; returns it)."""
    if recipient:
        recipient["phone"] = ""
    return recipient


def coarse(value: float | None) -> float | None:
    return None if value is None else round(value, COARSE_DECIMALS)


def redact_job(data: dict) -> dict:
    """A dumped job without its recipient (in place; returns it)."""
    if data.get("dropoff"):
        data["dropoff"] = {"address": "", "lat": coarse(data["dropoff"].get("lat")),
                           "lon": coarse(data["dropoff"].get("lon"))}
    if "recipient" in data:
        data["recipient"] = {"name": "", "phone": ""}
    if "notes" in data:
        data["notes"] = ""
    if "tracking_url" in data:
        data["tracking_url"] = None
    data["redacted"] = True
    return data


def redact_stop(data: dict, kind: str) -> dict:
    """A dumped run stop without the recipient's door: a drop-off's address and
    exact position, the recipient and the notes go."""
    if kind == "dropoff":
        data["address"] = ""
        for key in ("lat", "lon"):
            if key in data:
                data[key] = coarse(data[key])
    if "recipient" in data:
        data["recipient"] = None
    if "notes" in data:
        data["notes"] = ""
    data["redacted"] = True
    return data


def redact_payload(payload: dict, job) -> dict:
    """A stored webhook body (``{"data": {"job": ...}}``) as someone other than the
    job's submitter may read it."""
    inner = (payload.get("data") or {}).get("job")
    if isinstance(inner, dict) and protected(job) and not may_see(job):
        redact_job(inner)
    return payload


def may_see_round(rnd, viewer: Viewer | None = None) -> bool:
    """A solidarity round's households are for its hub only."""
    if not rnd.solidarity:
        return True
    v = viewer or current()
    return v.user_id is not None and rnd.hub is not None and rnd.hub.user_id == v.user_id


def redact_order(data: dict) -> dict:
    """A dumped round order without the household."""
    data.update(customer="", phone="", address="", notes="", lat=coarse(data.get("lat")),
                lon=coarse(data.get("lon")))
    return data
