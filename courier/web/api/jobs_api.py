"""Jobs: shops submit, follow and cancel them; couriers mark their stops."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import func, select

from courier import schemas
from courier.db import commit_and_keep
from courier.dispatch import operations, runs
from courier.errors import Forbidden
from courier.extensions import db
from courier.federation import cancel
from courier.models import Event, Job, JobStatus, Role
from courier.schemas import CourierJobDetailOut, CourierJobOut, JobDetailOut, JobOut
from courier.shops import submit
from courier.web.api import args, proof_input
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("jobs", __name__, description="Delivery jobs")
SUBMITTERS = (Role.MERCHANT, Role.PARTNER)  # their own jobs


class JobList(args.Schema):
    jobs = args.fields.List(args.fields.Nested(JobOut))
    total = args.fields.Integer()


def visible_job(job_id: int) -> Job:
    """The job, if the caller may see it: its shop (or partner), its courier, dispatch
    and council."""
    job = get_or_404(Job, job_id, "job")
    u = user()
    if u.role in (Role.DISPATCHER, Role.COUNCIL):
        return job
    if u.role in SUBMITTERS and u.merchant and job.merchant_id == u.merchant.id:
        return job
    if u.role == Role.COURIER and u.courier and job.courier_id == u.courier.id:
        return job
    raise Forbidden("this job is not yours")


@blp.route("/jobs", methods=["POST"])
@require(Role.MERCHANT)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.arguments(args.JobIn)
@blp.response(201, schemas.SubmittedJobOut)
@blp.alt_response(200, schema=schemas.SubmittedJobOut,
                  description="Replay of an earlier Idempotency-Key")
@blp.doc(security=BEARER)
def create_job(data, key=None):
    """Submit a delivery job. An Idempotency-Key header makes retries safe."""
    job, created = submit.submit_job(user(), data, key)
    commit_and_keep()
    if created and not hasattr(job, "parts"):  # one job: the body of its live message
        return jsonify(job.shop_view), 201
    return job, (201 if created else 200)


@blp.route("/jobs", methods=["GET"])
@require(Role.MERCHANT, Role.PARTNER, Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(args.JobQuery, location="query")
@blp.response(200, JobList)
@blp.doc(security=BEARER)
def list_jobs(query):
    """A shop (or a partner) sees its own jobs; dispatch and the council see all of them."""
    stmt = select(Job)
    u = user()
    if u.role in SUBMITTERS:
        stmt = stmt.where(Job.merchant_id == u.merchant.id)
    if query.get("status"):
        stmt = stmt.where(Job.status == query["status"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = db.session.scalars(stmt.order_by(Job.id.desc())
                              .limit(query["limit"]).offset(query["offset"])).all()
    if u.role == Role.COUNCIL:  # the recipients' tracking links are for the shop and dispatch
        return jsonify({"jobs": CourierJobOut(many=True).dump(page), "total": total})
    return {"jobs": page, "total": total}


@blp.route("/jobs/<int:job_id>", methods=["GET"])
@require()
@blp.response(200, JobDetailOut)
@blp.doc(security=BEARER)
def get_job(job_id):
    """One job with its events, its courier's first name and the planned times."""
    job = visible_job(job_id)
    job.events = db.session.scalars(select(Event).where(Event.job_id == job.id)
                                    .order_by(Event.id)).all()
    if user().role in (Role.COURIER, Role.COUNCIL):  # the tracking link: shop and dispatch only
        return jsonify(CourierJobDetailOut().dump(job))
    return job


@blp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@require(Role.MERCHANT, Role.PARTNER, Role.DISPATCHER)
@blp.arguments(args.ReasonIn, required=False)
@blp.response(200, JobOut)
@blp.alt_response(202, schema=JobOut, description=(
    "A job a partner coop carries (with_partner): the partner was asked to give it back "
    "and has not answered yet (carried_by.cancelling). Its answer ends the job cancelled, "
    "or is told on the job as cancel_refused when its courier had picked it up."))
@blp.doc(security=BEARER)
def cancel_job(data, job_id):
    """Cancel a job that has not been picked up yet. A job a partner coop carries is
    cancelled once the partner gives it back (its courier has not picked it up): 200
    cancelled, 202 while the partner has not answered, 409 once picked up."""
    job, reason = get_or_404(Job, job_id, "job"), data.get("reason", "")
    if job.status == JobStatus.WITH_PARTNER:  # the partner is asked first (commits)
        job, done = cancel.request(user(), job, reason)
        return job, (200 if done else 202)
    job = operations.cancel_job(user(), job, reason)
    db.session.commit()
    return job


def _stop_action(job_id, action, key, *extra, **proof):
    job = get_or_404(Job, job_id, "job")
    action(user(), job, *extra, replay=key is not None, **proof)
    db.session.commit()
    return job


@blp.route("/jobs/<int:job_id>/picked-up", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.response(200, CourierJobOut)
@blp.doc(security=BEARER)
def picked_up(job_id, key=None):
    """The courier carrying the job has collected it. With an Idempotency-Key, a
    repeat of this action once done is answered as done."""
    return _stop_action(job_id, runs.mark_picked_up, key)


DELIVERED_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "code": {"type": "string", "minLength": 1, "maxLength": 20}}}
FAILED_BODY = {"type": "object", "additionalProperties": False, "required": ["reason"],
               "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}}}


@blp.route("/jobs/<int:job_id>/delivered", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@proof_input.body_doc(DELIVERED_BODY, proof_input.FILES["delivered"],
                      "The proof the job's shop asks for: the recipient's ``code`` (JSON or "
                      "a form field), or a multipart form with a ``photo`` (JPEG, PNG or "
                      "WebP, 10 MB at most) or a ``signature`` (PNG)", required=False)
@blp.response(200, CourierJobOut)
@blp.doc(security=BEARER)
def delivered(job_id, key=None):
    """The courier handed the job over (only after picking it up), with the proof its
    shop asks for (``GET /shop/proof-policy``): without it, 422 naming the field; a file
    over 10 MB 413, not an image 415; a proof that could not be stored 503, and nothing
    is marked. With an Idempotency-Key, a repeat of this action once done is answered
    as done."""
    _, given = proof_input.read("delivered", proof_input.DeliveredIn())
    return _stop_action(job_id, runs.mark_delivered, key, given=given)


@blp.route("/jobs/<int:job_id>/failed", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@proof_input.body_doc(FAILED_BODY, proof_input.FILES["failed"],
                      "Why the delivery failed (``reason``), as JSON or as a multipart form "
                      "with the ``photo`` the shop may ask for", required=True)
@blp.response(200, CourierJobOut)
@blp.doc(security=BEARER)
def failed(job_id, key=None):
    """The delivery could not be made; the reason is required, and a photo when the
    shop asks for one. With an Idempotency-Key, a repeat of this action once done is
    answered as done."""
    data, given = proof_input.read("failed", proof_input.FailedIn())
    return _stop_action(job_id, runs.mark_failed, key, data["reason"], given=given)



@blp.route("/jobs/<int:job_id>/returned", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.response(200, CourierJobOut)
@blp.doc(security=BEARER)
def returned(job_id, key=None):
    """The courier brought a failed parcel back (to the shop, or the coop's return hub):
    its return stop is made, the job keeps ``failed`` with ``returned_at``, and the run
    ends if nothing is left. With an Idempotency-Key, a repeat once done is answered as
    done."""
    return _stop_action(job_id, runs.mark_returned, key)


class ReleaseIn(args.Strict):
    reason = args.fields.String(required=True, validate=args.validate.Length(1, 500),
                                metadata={"description": "why the courier gives it back"})


@blp.route("/jobs/<int:job_id>/release", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.arguments(ReleaseIn)
@blp.response(200, CourierJobOut)
@blp.doc(security=BEARER)
def release(data, job_id, key=None):
    """The courier gives back a job accepted and not picked up yet, saying why: it goes
    back to dispatch for the next cycle (not to them again for a while), with the rest of
    its delivery on the run; the run is re-timed and sent to the phone, or ends. With an
    Idempotency-Key, a repeat once done is answered as done."""
    job = get_or_404(Job, job_id, "job")
    operations.release_job(user(), job, data["reason"], replay=key is not None)
    db.session.commit()
    return job
