"""Proofs of delivery: the proof a shop asks of its jobs, a job's proofs and their files,
and a shop's proofs of a period as one ZIP with a PDF summary."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, current_app, url_for
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from courier import privacy
from courier.errors import Forbidden, NotFound
from courier.extensions import db
from courier.models import Proof, ProofRule, Role
from courier.proofs import export, keep, policy
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, download, get_or_404, user
from courier.web.api.jobs_api import SUBMITTERS, visible_job
from courier.web.auth import require

blp = Blueprint("proofs", __name__, description="Proofs of delivery")
MAX_DAYS = 92  # the longest period of one export


class PolicyOut(Schema):
    required = fields.String(metadata={"description": "none, photo, signature or code"})
    on_failure = fields.Boolean(metadata={"description": "a failed delivery needs a photo"})


class PolicyIn(Strict):
    required = fields.String(required=True,
                             validate=validate.OneOf([r.value for r in ProofRule]))
    on_failure = fields.Boolean(load_default=False)


class ProofItem(Schema):
    id = fields.Integer()
    kind = fields.String()
    outcome = fields.String()
    at = fields.AwareDateTime()
    content_type = fields.String(allow_none=True)
    size = fields.Integer()
    url = fields.String(allow_none=True, metadata={"description": "the file (none for a "
                                                   "code, or once removed)"})
    removed = fields.Boolean(metadata={"description": "the file was erased (retention)"})


class JobProofOut(Schema):
    job_id = fields.Integer()
    status = fields.String()
    required = fields.String(metadata={"description": "the proof the job needs to be "
                                       "delivered"})
    on_failure = fields.Boolean()
    code = fields.String(allow_none=True, metadata={
        "description": "the code to send the recipient in advance (the shop only)"})
    courier_first_name = fields.String(allow_none=True)
    proofs = fields.List(fields.Nested(ProofItem))


class ExportQuery(Schema):
    from_ = fields.Date(required=True, data_key="from", metadata={
        "description": "first day (the coop's local days)"})
    to = fields.Date(required=True, metadata={"description": "last day, included"})

    @validates_schema
    def _period(self, data, **kwargs):
        if data["to"] < data["from_"]:
            raise ValidationError("must not be before from", "to")
        if (data["to"] - data["from_"]).days >= MAX_DAYS:
            raise ValidationError(f"at most {MAX_DAYS} days at once", "to")


def _readable(job):
    """A solidarity job's proofs (a photo of the door) are for those who may read its
    recipient (courier.privacy): its partner, its courier while carrying it."""
    if not privacy.may_see(job):
        raise Forbidden("this recipient is kept private")
    return job


@blp.route("/shop/proof-policy", methods=["GET"])
@require(Role.MERCHANT)
@blp.response(200, PolicyOut)
@blp.doc(security=BEARER)
def get_policy():
    """The proof this shop's jobs need to be delivered, and whether a failed delivery
    needs a photo."""
    return policy.of(user().merchant)


@blp.route("/shop/proof-policy", methods=["PUT"])
@require(Role.MERCHANT)
@blp.arguments(PolicyIn)
@blp.response(200, PolicyOut)
@blp.doc(security=BEARER)
def put_policy(data):
    """Choose the proof this shop's jobs need: none, a photo, the recipient's signature
    or the recipient's code (``GET /jobs/{id}/proof`` gives each job's code); and whether
    a failed delivery needs a photo. It applies to every stop not yet marked."""
    row = policy.choose(user(), data["required"], data["on_failure"])
    db.session.commit()
    return row


@blp.route("/jobs/<int:job_id>/proof", methods=["GET"])
@require(Role.MERCHANT, Role.PARTNER, Role.DISPATCHER, Role.COUNCIL, Role.COURIER)
@blp.response(200, JobProofOut)
@blp.doc(security=BEARER)
def job_proof(job_id):
    """A job's proofs of delivery (or of a failed delivery), with links to their files;
    for its shop, the code to send the recipient in advance."""
    job = _readable(visible_job(job_id))
    rule = policy.of(job.merchant)
    mine = user().role in SUBMITTERS
    items = [{"id": p.id, "kind": p.kind.value, "outcome": p.outcome, "at": p.created_at,
              "content_type": p.content_type, "size": p.size, "removed": p.removed_at is not None,
              "url": url_for("proofs.proof_file", proof_id=p.id) if p.key else None}
             for p in keep.of_job(job)]
    return {"job_id": job.id, "status": job.status.value, "required": rule.required,
            "on_failure": rule.on_failure, "code": policy.code_of(job) if mine else None,
            "courier_first_name": job.courier.user.first_name if job.courier else None,
            "proofs": items}


@blp.route("/proofs/<int:proof_id>/file", methods=["GET"])
@require(Role.MERCHANT, Role.PARTNER, Role.DISPATCHER, Role.COUNCIL, Role.COURIER)
@blp.response(200)
@blp.alt_response(200, content_type="image/jpeg", description="the photo (JPEG) or the "
                  "signature (PNG)", success=True)
@blp.alt_response(503, description="The proof store cannot be read now")
@blp.doc(security=BEARER)
def proof_file(proof_id):
    """The file of one proof: its job's shop, its courier, dispatch and the council."""
    proof = get_or_404(Proof, proof_id, "proof")
    _readable(visible_job(proof.job_id))
    if not proof.key:
        raise NotFound(f"proof {proof_id} has no file (a code, or erased)")
    return Response(keep.content(proof), mimetype=proof.content_type, headers={
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


@blp.route("/proofs/export", methods=["GET"])
@require(Role.MERCHANT, Role.PARTNER)
@blp.arguments(ExportQuery, location="query")
@blp.response(200)
@blp.alt_response(200, content_type="application/zip", description="the files and "
                  "summary.pdf (one page per delivery)", success=True)
@blp.doc(security=BEARER)
def export_zip(query):
    """Every proof of this shop's deliveries that ended from ``from`` to ``to`` (the
    coop's days, included), as one ZIP: the files, and a PDF with one page per delivery
    (time, courier's first name, photo or signature)."""
    merchant = user().merchant
    if merchant is None:
        raise Forbidden("only a shop exports its proofs")
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    start = datetime.combine(query["from_"], time(), tz).astimezone(UTC)
    end = datetime.combine(query["to"] + timedelta(days=1), time(), tz).astimezone(UTC)
    data = export.export(merchant, start, end)
    name = f"proofs-{query['from_']:%Y%m%d}-{query['to']:%Y%m%d}.zip"
    return download(data, "application/zip", name)
