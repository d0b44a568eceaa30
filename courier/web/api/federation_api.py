"""Federation between coops, for the council (partnerships, the hand-off rule) and
dispatch (handing a job to a partner coop, following hand-offs). The partner coops'
own instances talk to courier.web.federation_wire instead."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from courier.errors import Conflict, InvalidInput
from courier.extensions import db
from courier.federation import config, handoffs, partners, profile, transport
from courier.models import Handoff, HandoffStatus, Job, Partner, Role
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("federation", __name__, description="Partner coops and jobs handed to them")
COUNCIL = (Role.COUNCIL,)
DISPATCH = (Role.DISPATCHER, Role.COUNCIL)


HHMM = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="a time HH:MM")


class HoursIn(Strict):
    from_ = fields.String(required=True, data_key="from", validate=HHMM)
    to = fields.String(required=True, validate=HHMM)
    days = fields.List(fields.String(validate=validate.OneOf(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])))


class SettingsIn(Strict):
    auto_handoff = fields.Boolean()
    pending_minutes = fields.Integer(validate=validate.Range(1, 24 * 60))
    outside_zone = fields.Boolean()
    max_price_cents = fields.Integer(allow_none=True, validate=validate.Range(0, 10_000_000))
    hours = fields.Nested(HoursIn, allow_none=True, metadata={
        "description": "when we take partners' jobs (local times); null: any time"})
    answer_timeout_s = fields.Integer(validate=validate.Range(1, 120))
    accept_only_in_time = fields.Boolean(metadata={
        "description": "take a partner's job only when one of our couriers (on shift, or "
                       "booked on a slot starting in time) can deliver it in its window"})


class ConnectIn(Strict):
    url = fields.String(required=True, validate=validate.Length(1, 255))
    code = fields.String(required=True, validate=validate.Length(1, 100))


class PartnerReasonIn(Strict):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class LimitIn(Strict):
    credit_limit_cents = fields.Integer(required=True, validate=validate.Range(0, 10**9))


class HandoffIn(Strict):
    partner_id = fields.Integer(metadata={"description": "default: each partner covering it"})


class HandoffQuery(Schema):
    direction = fields.String(validate=validate.OneOf(["out", "in"]))
    status = fields.String(validate=validate.OneOf([s.value for s in HandoffStatus]))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


def partner_out(p: Partner) -> dict:
    terms = p.terms or {}
    return {"id": p.id, "name": p.name, "url": p.base_url, "status": p.status.value,
            "invited_by": p.invited_by, "status_by": p.status_by,
            "we_approved": p.we_approved_at is not None,
            "they_approved": p.they_approved_at is not None,
            "credit_limit_cents": p.credit_limit_cents, "zone": p.zone,
            "takes": terms.get("takes"), "prices": terms.get("prices"),
            "timezone": terms.get("timezone"),
            "profile_at": p.profile_at.isoformat() if p.profile_at else None,
            "created_at": p.created_at.isoformat()}


def handoff_out(h: Handoff) -> dict:
    return {"id": h.id, "partner": {"id": h.partner_id, "name": h.partner.name},
            "job_id": h.job_id, "direction": h.direction, "key": h.idempotency_key,
            "remote_ref": h.remote_ref, "status": h.status.value, "reason": h.reason,
            "price_cents": h.price_cents, "leg": h.leg, "asked_by": h.asked_by,
            "remote_status": h.remote_status, "courier_first_name": h.courier_first_name,
            "eta": h.eta.isoformat() if h.eta else None,
            "created_at": h.created_at.isoformat(),
            "answered_at": h.answered_at.isoformat() if h.answered_at else None}


@blp.route("/federation", methods=["GET"])
@require(*DISPATCH)
@blp.response(200)
@blp.doc(security=BEARER)
def overview():
    """The hand-off rule, the partner coops, and what we publish to them."""
    rows = db.session.scalars(select(Partner).order_by(Partner.id)).all()
    return {"settings": config.get(), "partners": [partner_out(p) for p in rows],
            "published": profile.ours()}


@blp.route("/federation/settings", methods=["PATCH"])
@require(*COUNCIL)
@blp.arguments(SettingsIn)
@blp.response(200)
@blp.doc(security=BEARER)
def update_settings(data):
    """The council's hand-off rule and what it takes from partners."""
    if not data:
        raise InvalidInput("give at least one setting", {"_body": "no setting given"})
    if data.get("hours"):
        data["hours"] = {("from" if k == "from_" else k): v for k, v in data["hours"].items()}
    new = config.put(data)
    db.session.commit()
    return new


@blp.route("/federation/invitations", methods=["POST"])
@require(*COUNCIL)
@blp.response(201)
@blp.doc(security=BEARER)
def invite():
    """A one-time code for another coop's council (shown this once; it expires soon)."""
    inv, code = partners.invite(user())
    db.session.commit()
    return {"code": code, "url": profile.our_url(), "expires_at": inv.expires_at.isoformat()}


@blp.route("/partners", methods=["POST"])
@require(*COUNCIL)
@blp.arguments(ConnectIn)
@blp.response(201)
@blp.doc(security=BEARER)
def connect(data):
    """Enter another coop's address and invitation code: keys are exchanged; this is
    our council's approval, the other council approves on its side."""
    p = partners.connect(user(), data["url"], data["code"])
    db.session.commit()
    return partner_out(p)


@blp.route("/partners/<int:partner_id>", methods=["GET"])
@require(*DISPATCH)
@blp.response(200)
@blp.doc(security=BEARER)
def get_partner(partner_id):
    return partner_out(get_or_404(Partner, partner_id, "partner"))


def _change(partner_id: int, fn, *args):
    p = fn(user(), get_or_404(Partner, partner_id, "partner"), *args)
    db.session.commit()
    return partner_out(p)


@blp.route("/partners/<int:partner_id>/approve", methods=["POST"])
@require(*COUNCIL)
@blp.response(200)
@blp.doc(security=BEARER)
def approve(partner_id):
    """Our council approves the coop that answered our invitation."""
    return _change(partner_id, partners.approve)


@blp.route("/partners/<int:partner_id>/pause", methods=["POST"])
@require(*COUNCIL)
@blp.arguments(PartnerReasonIn)
@blp.response(200)
@blp.doc(security=BEARER)
def pause(data, partner_id):
    """No new hand-off either way until resumed; hand-offs in flight finish."""
    return _change(partner_id, partners.change, "pause", data["reason"])


@blp.route("/partners/<int:partner_id>/resume", methods=["POST"])
@require(*COUNCIL)
@blp.arguments(PartnerReasonIn)
@blp.response(200)
@blp.doc(security=BEARER)
def resume(data, partner_id):
    """Resume a partnership our council paused (one the partner paused, it resumes)."""
    return _change(partner_id, partners.change, "resume", data["reason"])


@blp.route("/partners/<int:partner_id>/end", methods=["POST"])
@require(*COUNCIL)
@blp.arguments(PartnerReasonIn)
@blp.response(200)
@blp.doc(security=BEARER)
def end(data, partner_id):
    """End the partnership for good; hand-offs in flight finish."""
    return _change(partner_id, partners.change, "end", data["reason"])


@blp.route("/partners/<int:partner_id>/limit", methods=["PUT"])
@require(*COUNCIL)
@blp.arguments(LimitIn)
@blp.response(200)
@blp.doc(security=BEARER)
def set_limit(data, partner_id):
    """The credit limit with this partner, in cents (0: no credit)."""
    return _change(partner_id, partners.set_limit, data["credit_limit_cents"])


@blp.route("/partners/<int:partner_id>/rotate-key", methods=["POST"])
@require(*COUNCIL)
@blp.response(200)
@blp.doc(security=BEARER)
def rotate_key(partner_id):
    """A new signing key, sent to the partner now (it accepts the old one for a day)."""
    return _change(partner_id, partners.rotate_key)


@blp.route("/partners/<int:partner_id>/refresh", methods=["POST"])
@require(*COUNCIL)
@blp.response(200)
@blp.doc(security=BEARER)
def refresh(partner_id):
    """Read the partner's published zone, terms and prices again."""
    p = get_or_404(Partner, partner_id, "partner")
    try:
        profile.refresh(p)
    except transport.Unreachable as err:
        raise Conflict(f"the partner coop did not answer: {err.message}") from None
    db.session.commit()
    return partner_out(p)


@blp.route("/jobs/<int:job_id>/handoff", methods=["POST"])
@require(*DISPATCH)
@blp.arguments(HandoffIn)
@blp.response(200)
@blp.doc(security=BEARER)
def hand_off(data, job_id):
    """Hand a pending job to a partner coop (the one given, else each covering it in
    turn): the answer is the last hand-off asked, accepted or not (with its reason)."""
    job = get_or_404(Job, job_id, "job")
    partner = get_or_404(Partner, data["partner_id"], "partner") if "partner_id" in data \
        else None
    h = handoffs.offer(user(), job, partner=partner, asked_by="dispatcher")
    return handoff_out(h)


@blp.route("/jobs/<int:job_id>/handoff/withdraw", methods=["POST"])
@require(*DISPATCH)
@blp.arguments(PartnerReasonIn)
@blp.response(202)
@blp.doc(security=BEARER)
def withdraw(data, job_id):
    """Ask the partner coop carrying this job to give it back (it can while its courier
    has not picked it up): the job is ours again once the partner confirms."""
    job = get_or_404(Job, job_id, "job")
    h = db.session.scalars(select(Handoff).where(
        Handoff.job_id == job.id, Handoff.direction == "out",
        Handoff.status == HandoffStatus.ACCEPTED)).first()
    if h is None:
        raise Conflict("no partner coop carries this job", {"job_id": "not handed over"})
    handoffs.withdraw(user(), h, data["reason"] or "withdrawn by dispatch")
    db.session.commit()
    return handoff_out(h)


@blp.route("/jobs/<int:job_id>/handoffs", methods=["GET"])
@require(*DISPATCH)
@blp.response(200)
@blp.doc(security=BEARER)
def job_handoffs(job_id):
    job = get_or_404(Job, job_id, "job")
    rows = db.session.scalars(select(Handoff).where(Handoff.job_id == job.id)
                              .order_by(Handoff.id)).all()
    return {"handoffs": [handoff_out(h) for h in rows],
            "candidates": [{"id": p.id, "name": p.name} for p in handoffs.candidates(job)]
            if job.status.value == "pending" else []}


@blp.route("/handoffs", methods=["GET"])
@require(*DISPATCH)
@blp.arguments(HandoffQuery, location="query")
@blp.response(200)
@blp.doc(security=BEARER)
def list_handoffs(query):
    """Hand-offs both ways, newest first."""
    stmt = select(Handoff)
    if query.get("direction"):
        stmt = stmt.where(Handoff.direction == query["direction"])
    if query.get("status"):
        stmt = stmt.where(Handoff.status == query["status"])
    rows = db.session.scalars(stmt.order_by(Handoff.id.desc()).limit(query["limit"])).all()
    return {"handoffs": [handoff_out(h) for h in rows]}
