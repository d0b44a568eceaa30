"""Jobs relayed between two coops' zones through a hub both accept: the council sets the
relay hubs of a partnership, dispatch relays a job (our courier to the hub, the
partner's from there) and follows its two legs (docs/federation.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from courier.extensions import db
from courier.federation import relay
from courier.models import Job, Partner, Relay, Role
from courier.validation import Lat, Lon, Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("relay", __name__, description="Jobs relayed through a hub between two "
                "coops' zones")


class RelayHub(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 80))
    address = fields.String(load_default="", validate=validate.Length(max=255))
    lat = fields.Float(required=True, validate=Lat, allow_nan=False)
    lon = fields.Float(required=True, validate=Lon, allow_nan=False)


class RelayHubsIn(Strict):
    hubs = fields.List(fields.Nested(RelayHub), required=True,
                       validate=validate.Length(max=20))


class RelayHubsOut(Schema):
    configured = fields.List(fields.Nested(RelayHub), metadata={
        "description": "set by our council for this partnership"})
    usable = fields.List(fields.Nested(RelayHub), metadata={
        "description": "those inside both zones now"})


class RelayIn(Strict):
    partner_id = fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1),
                                metadata={"description": "default: the first partner "
                                          "whose hub gets the job there soonest"})


class RelayOut(Schema):
    id = fields.Integer()
    job_id = fields.Integer()
    leg_job_id = fields.Integer(metadata={"description": "our first leg (shop to hub)"})
    partner_id = fields.Integer()
    partner = fields.String(attribute="partner.name")
    handoff_id = fields.Integer(allow_none=True, metadata={"description": "the second leg"})
    hub = fields.Nested(RelayHub)
    status = fields.String(metadata={"description": "asking, first_leg, second_leg, done "
                                     "or stopped"})
    reason = fields.String()
    first_leg_status = fields.String(attribute="leg_job.status")
    second_leg_status = fields.String(attribute="handoff.status", allow_none=True)
    created_at = fields.AwareDateTime()


class RelaysOut(Schema):
    relays = fields.List(fields.Nested(RelayOut))


class RelayableOut(Schema):
    job_id = fields.Integer()
    partner_id = fields.Integer()
    partner = fields.String()
    hub = fields.Nested(RelayHub)
    at_hub = fields.AwareDateTime(metadata={"description": "when our courier can have the "
                                            "parcel at the hub"})


class RelayablesOut(Schema):
    jobs = fields.List(fields.Nested(RelayableOut), metadata={
        "description": "pending jobs a relay fits now, each with the partner and hub it "
                       "would go through first"})


def _hubs_out(p: Partner) -> dict:
    return {"configured": relay.configured(p), "usable": relay.hubs(p)}


@blp.route("/partners/<int:partner_id>/relay-hubs", methods=["GET"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, RelayHubsOut)
@blp.doc(security=BEARER)
def get_hubs(partner_id):
    """The hubs where our couriers hand parcels over to this partner's."""
    return _hubs_out(get_or_404(Partner, partner_id, "partner"))


@blp.route("/partners/<int:partner_id>/relay-hubs", methods=["PUT"])
@require(Role.COUNCIL)
@blp.arguments(RelayHubsIn)
@blp.response(200, RelayHubsOut)
@blp.doc(security=BEARER)
def put_hubs(data, partner_id):
    """The council sets this partnership's relay hubs (each inside our zone and the
    partner's published one; the field at fault is named)."""
    p = get_or_404(Partner, partner_id, "partner")
    relay.set_hubs(user(), p, data["hubs"])
    db.session.commit()
    return _hubs_out(p)


@blp.route("/jobs/<int:job_id>/relay", methods=["POST"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(RelayIn)
@blp.response(200, RelayOut)
@blp.doc(security=BEARER)
def start(data, job_id):
    """Relay a pending job: the partner is asked for the second leg (hub to recipient);
    accepted, our first leg (shop to hub) goes to dispatch. The answer is the relay,
    ``stopped`` with the reason when no partner took it. 409 when the job cannot be
    relayed (the reason is named)."""
    job = get_or_404(Job, job_id, "job")
    partner = (get_or_404(Partner, data["partner_id"], "partner") if "partner_id" in data
               else None)
    out = relay.start(user(), job, partner)
    db.session.commit()
    return out


@blp.route("/jobs/<int:job_id>/relay", methods=["GET"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, RelaysOut)
@blp.doc(security=BEARER)
def of_job(job_id):
    """The job's relays (one per partner asked), newest first, with both legs' status."""
    job = get_or_404(Job, job_id, "job")
    rows = db.session.scalars(select(Relay).where(Relay.job_id == job.id)
                              .order_by(Relay.id.desc())).all()
    return {"relays": rows}


@blp.route("/relays/possible", methods=["GET"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, RelayablesOut)
@blp.doc(security=BEARER)
def possible():
    """The pending jobs that can be relayed now (a partner's hub fits their window): what
    the dispatch board offers to relay."""
    return {"jobs": relay.relayable()}
