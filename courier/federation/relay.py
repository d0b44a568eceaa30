"""A job from inside our zone to inside a partner's, carried in two legs through a hub
both coops accept: our courier takes the parcel from the shop to the hub (the first
leg), the partner's takes it from the hub to the recipient (the second leg).

The shop and the recipient see one job, the shop's, with its one tracking link: it is
handed to the partner for the second leg (an ``out`` hand-off with ``leg`` "second",
the hub as its pickup, ready when our courier is planned there), and our first leg is a
job of its own (shop to hub, under the partner's coop account here, at no price), so
the shop's list, statement and webhooks know only its job. :func:`relay_events`, run by
the worker, carries what happens on the first leg over to the shop's job: the parcel
picked up at the shop (the shop hears ``picked_up``, the recipient is told it is on its
way), left at the hub; if the first leg fails or is cancelled, the partner is told to
stand down and the job is ours again. After the hub, the job follows the partner's
courier like any job handed over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from courier import settings
from courier.dispatch import operations
from courier.dispatch.planning import travel_matrix
from courier.errors import Conflict, DomainError, Forbidden, InvalidInput
from courier.extensions import db
from courier.federation import handoffs, log, partners, profile
from courier.journal import move_job, record
from courier.models import (
    Handoff,
    HandoffStatus,
    Job,
    JobStatus,
    Partner,
    PartnerStatus,
    Relay,
    RelayStatus,
    Role,
    User,
    utcnow,
)
from courier.routing.geo import LatLon
from courier.shops.zones import current_index

KEY = "federation_relay_hubs"  # {partner id: [hub, ...]}, set by our council
OPEN = (RelayStatus.ASKING, RelayStatus.FIRST_LEG, RelayStatus.SECOND_LEG)
MARGIN = timedelta(minutes=15)  # to reach the shop, and slack at the hub
FINAL = {HandoffStatus.DELIVERED: RelayStatus.DONE, HandoffStatus.FAILED: RelayStatus.DONE,
         HandoffStatus.RETURNED: RelayStatus.STOPPED,
         HandoffStatus.CANCELLED: RelayStatus.STOPPED}


# -- hubs ------------------------------------------------------------------------
def _ours(lat: float, lon: float) -> bool:
    """Whether the point is in our zones (anywhere, for a coop that drew none)."""
    index = current_index()
    return index.empty or bool(index.at(lon, lat))


def configured(partner: Partner) -> list[dict]:
    return list((settings.get(KEY) or {}).get(str(partner.id), []))


def hubs(partner: Partner) -> list[dict]:
    """The hubs where a parcel may pass from our courier to the partner's: those our
    council set for this partnership that still lie both in our zone and in the zone the
    partner publishes (either may have changed since)."""
    return [h for h in configured(partner) if _ours(h["lat"], h["lon"])
            and profile.covers(partner, h["lat"], h["lon"])]


def set_hubs(actor: User, partner: Partner, given: list[dict]) -> list[dict]:
    """Our council sets the relay hubs of a partnership (each inside both zones)."""
    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council sets the relay hubs of a partnership")
    clean, problems = [], {}
    for i, h in enumerate(given):
        hub = {"name": h["name"].strip(), "address": (h.get("address") or "").strip(),
               "lat": h["lat"], "lon": h["lon"]}
        if not _ours(hub["lat"], hub["lon"]):
            problems[f"hubs.{i}"] = "outside our zone"
        elif not profile.covers(partner, hub["lat"], hub["lon"]):
            problems[f"hubs.{i}"] = "outside the partner's published zone"
        clean.append(hub)
    if problems:
        name, why = next(iter(problems.items()))
        raise InvalidInput(f"{name}: {why}: a relay hub lies in both zones", problems)
    stored = dict(settings.get(KEY) or {})
    stored[str(partner.id)] = clean
    settings.put(KEY, stored)
    log.note(actor, "relay_hubs_set", partner, f"{len(clean)} relay hub(s)",
             {"hubs": [h["name"] for h in clean]})
    return clean


# -- planning --------------------------------------------------------------------
def _ride(a: LatLon, b: LatLon) -> timedelta:
    return timedelta(seconds=float(travel_matrix([a, b]).durations[0][1]))


def timing(job: Job, hub: dict, now: datetime) -> tuple[datetime, timedelta] | None:
    """When the parcel can be at ``hub`` (our courier reaching the shop, the pickup, the
    ride) and the second leg's ride; None when both legs cannot fit before the job's
    deadline."""
    cfg = current_app.config
    at = LatLon(hub["lat"], hub["lon"])
    first = _ride(LatLon(job.pickup_lat, job.pickup_lon), at)
    second = _ride(at, LatLon(job.dropoff_lat, job.dropoff_lon))
    at_hub = (max(job.ready_at, now) + MARGIN + first
              + timedelta(seconds=cfg["PICKUP_SERVICE_S"] + cfg["DROPOFF_SERVICE_S"]))
    end = at_hub + second + timedelta(seconds=cfg["PICKUP_SERVICE_S"]
                                      + cfg["DROPOFF_SERVICE_S"])
    return (at_hub, second) if end <= job.deliver_by else None


def _choices(job: Job, partner: Partner | None, now: datetime) -> list[tuple]:
    """(time at the hub, partner, hub) for each way the job can be relayed, soonest
    delivered first (never again through a partner's hub the job was relayed through)."""
    if partner is not None:
        candidates = [partner]
    else:
        candidates = db.session.scalars(select(Partner).where(
            Partner.status == PartnerStatus.ACTIVE).order_by(Partner.id)).all()
    tried = {(r.partner_id, r.hub.get("name")) for r in db.session.scalars(
        select(Relay).where(Relay.job_id == job.id))}  # a hub that failed is not tried again
    out = []
    for p in candidates:
        if p.status != PartnerStatus.ACTIVE or not profile.covers(p, job.dropoff_lat,
                                                                  job.dropoff_lon):
            continue
        for hub in hubs(p):
            if (p.id, hub.get("name")) in tried:
                continue
            t = timing(job, hub, now)
            if t is not None:
                out.append((t[0] + t[1], t[0], p.id, p, hub))
    return [(at, p, hub) for _, at, _, p, hub in sorted(out, key=lambda c: c[:3])]


def why_not(job: Job) -> str | None:
    if job.status != JobStatus.PENDING:
        return f"only a pending job can be relayed (it is {job.status.value})"
    if job.solidarity:
        return "a solidarity job stays with our coop (its recipient is private)"
    if not _ours(job.pickup_lat, job.pickup_lon):
        return "the pickup is outside our zone: our courier cannot take the first leg"
    if db.session.scalar(select(Relay.id).where(Relay.job_id == job.id, Relay.status.in_(
            OPEN))) is not None:
        return "this job is being relayed already"
    if job.merchant.kind.value == "coop":
        return "a job of a partner coop is not relayed again"
    return None


def possible(job: Job, now: datetime | None = None) -> bool:
    """Whether ``job`` can be relayed now (a hub and a partner fit its window)."""
    return why_not(job) is None and bool(_choices(job, None, now or utcnow()))


def relayable(now: datetime | None = None, limit: int = 500) -> list[dict]:
    """The pending jobs a relay fits now (what dispatch's board offers to relay), each
    with its first choice: ``{"job_id", "partner_id", "partner", "hub", "at_hub"}``.
    Nothing is read beyond the partners when none of them has a usable hub."""
    now = now or utcnow()
    partners = db.session.scalars(select(Partner).where(
        Partner.status == PartnerStatus.ACTIVE).order_by(Partner.id)).all()
    if not any(hubs(p) for p in partners):
        return []
    jobs = db.session.scalars(select(Job).where(
        Job.status == JobStatus.PENDING, Job.solidarity.is_(False))
        .order_by(Job.deliver_by, Job.id).limit(limit)).all()
    out = []
    for job in jobs:
        if not any(profile.covers(p, job.dropoff_lat, job.dropoff_lon) for p in partners):
            continue  # (cheap first: no street route worked out for it)
        if why_not(job) is None and (choices := _choices(job, None, now)):
            at_hub, p, hub = choices[0]
            out.append({"job_id": job.id, "partner_id": p.id, "partner": p.name, "hub": hub,
                        "at_hub": at_hub})
    return out


# -- the relay -------------------------------------------------------------------
def start(actor: User | None, job: Job, partner: Partner | None = None,
          now: datetime | None = None) -> Relay:
    """Relay ``job`` through the first hub and partner that fit its window: the partner
    is asked for the second leg (:func:`courier.federation.handoffs.offer`, which
    commits); accepted, our first leg goes to dispatch. Raises Conflict when the job
    cannot be relayed; returns the relay (``stopped`` with the partner's reason when no
    partner took the second leg)."""
    now = now or utcnow()
    why = why_not(job)
    if why:
        raise Conflict(why, {"job": why})
    choices = _choices(job, partner, now)
    if not choices:
        raise Conflict("no partner coop with a relay hub can take the second leg in time",
                       {"partner": "no relay fits"})
    relay = None
    for at_hub, p, hub in choices:
        relay = _ask(actor, job, p, hub, at_hub)
        if relay.status == RelayStatus.FIRST_LEG or job.status != JobStatus.PENDING:
            break
    return relay


def _leg(job: Job, partner: Partner, hub: dict, at_hub: datetime) -> Job:
    """Our first leg: from the shop to the hub, held until the partner answers."""
    coop = partners.merchant_for(partner)
    leg = Job(merchant_id=coop.id, status=JobStatus.WITH_PARTNER,
              pickup_address=job.pickup_address, pickup_lat=job.pickup_lat,
              pickup_lon=job.pickup_lon, dropoff_address=hub.get("address") or hub["name"],
              dropoff_lat=hub["lat"], dropoff_lon=hub["lon"], ready_at=job.ready_at,
              deliver_by=at_hub, weight_kg=job.weight_kg, volume_l=job.volume_l,
              recipient_name=f"Relais {hub['name']}"[:120], recipient_phone="",
              notes=(f"Relais vers {partner.name} : de {job.merchant.name} au point de "
                     f"relais {hub['name']} (course #{job.id})")[:2000],
              price_cents=0, idempotency_key=f"relay-{job.id}-{utcnow():%H%M%S%f}")
    db.session.add(leg)
    db.session.flush()
    record(None, "job", "created", job=leg, to_status=JobStatus.WITH_PARTNER,
           reason=f"first leg of the relay of job #{job.id} to {partner.name}")
    return leg


def _ask(actor: User | None, job: Job, partner: Partner, hub: dict,
         at_hub: datetime) -> Relay:
    leg = _leg(job, partner, hub, at_hub)
    relay = Relay(job_id=job.id, leg_job_id=leg.id, partner_id=partner.id, hub=hub,
                  status=RelayStatus.ASKING, created_by_id=actor.id if actor else None)
    db.session.add(relay)
    db.session.commit()  # the relay exists before the partner is asked
    pickup = {"address": hub.get("address") or hub["name"], "lat": hub["lat"],
              "lon": hub["lon"]}
    try:
        handoff = handoffs.offer(actor, job, partner=partner, leg="second",
                                 asked_by="dispatcher" if actor else "rule", pickup=pickup,
                                 ready_at=at_hub)
    except DomainError as err:
        db.session.rollback()
        answered(relay, None, err.message)
    else:
        answered(relay, handoff)
    db.session.commit()
    return relay


def answered(relay: Relay, handoff: Handoff | None, why: str = "") -> None:
    """The partner answered the second leg: our first leg goes to dispatch, or the
    relay stops with the partner's reason."""
    relay.handoff_id = handoff.id if handoff is not None else None
    leg = relay.leg_job
    if handoff is not None and handoff.status == HandoffStatus.ACCEPTED:
        relay.status = RelayStatus.FIRST_LEG
        move_job(leg, JobStatus.WITH_PARTNER, JobStatus.PENDING, None, "relay_first_leg",
                 reason=f"{relay.partner.name} takes the second leg from {relay.hub['name']}")
        record(None, "job", "relayed", job=relay.job, from_status=JobStatus.WITH_PARTNER,
               to_status=JobStatus.WITH_PARTNER,
               reason=f"relayed: our courier to {relay.hub['name']}, then "
                      f"{relay.partner.name}", data={"hub": relay.hub, "leg_job": leg.id})
        return
    stop(relay, why or (handoff.reason if handoff is not None else "no answer"))


def stop(relay: Relay, why: str) -> None:
    relay.status, relay.reason = RelayStatus.STOPPED, why[:500]
    leg = relay.leg_job
    if leg.status == JobStatus.WITH_PARTNER:
        move_job(leg, JobStatus.WITH_PARTNER, JobStatus.CANCELLED, None, "cancelled",
                 reason=f"relay stopped: {why}"[:500])
    elif leg.status in (JobStatus.PENDING, JobStatus.OFFERED):
        try:
            operations.cancel_job(leg.merchant.user, leg, f"relay stopped: {why}"[:500])
        except DomainError:
            pass  # taken meanwhile: its courier brings it back like any job
