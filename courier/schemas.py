"""How jobs, runs and events look from outside: in API responses and Socket.IO
messages alike (one shape, one place)."""

from __future__ import annotations

from flask import current_app, has_app_context
from marshmallow import Schema, fields, post_dump

from courier import privacy
from courier.extensions import db
from courier.models import ProofPolicy
from courier.tracking import carried_by, tracking_url

RUN_PAY = "courier.run_pay"  # app.extensions: run -> its pay in cents (fairwork.estimate)


class PlaceOut(Schema):
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()


class RecipientOut(Schema):
    name = fields.String()
    phone = fields.String()


class CourierRef(Schema):
    id = fields.Integer()
    first_name = fields.Function(lambda c: c.user.first_name, dump_only=True)


class PhraseOut(Schema):
    """A sentence of the server's as a template and its values, for pages to show in the
    reader's language (``courier.texts``); each value is text, a number, or a phrase."""

    template = fields.String()
    values = fields.Dict(keys=fields.String())


class EventOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    subject = fields.String()
    job_id = fields.Integer(allow_none=True)
    run_id = fields.Integer(allow_none=True)
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String()
    reason_phrase = fields.Nested(PhraseOut, allow_none=True)


class JobOut(Schema):
    id = fields.Integer()
    status = fields.String()
    merchant_id = fields.Integer()
    pickup = fields.Nested(PlaceOut)
    dropoff = fields.Nested(PlaceOut)
    ready_at = fields.AwareDateTime()
    deliver_by = fields.AwareDateTime()
    weight_kg = fields.Float()
    volume_l = fields.Float()
    recipient = fields.Nested(RecipientOut)
    notes = fields.String()
    price_cents = fields.Integer(allow_none=True)
    pricing_version = fields.Integer(allow_none=True)
    price_breakdown = fields.Dict(allow_none=True)
    group_id = fields.Integer(allow_none=True)
    slot = fields.String(allow_none=True)
    run_id = fields.Integer(allow_none=True)
    courier = fields.Nested(CourierRef, allow_none=True)
    planned_pickup_at = fields.AwareDateTime(allow_none=True)
    planned_dropoff_at = fields.AwareDateTime(allow_none=True)
    pickup_eta = fields.AwareDateTime(allow_none=True, dump_only=True, metadata={
        "description": "when the courier is expected at the pickup, worked out live from "
                       "their progress; null once picked up or while no courier rides it"})
    eta = fields.AwareDateTime(allow_none=True, dump_only=True, metadata={
        "description": "when the courier is expected at the drop-off, worked out live from "
                       "their progress (stops done, position, the time now); null before "
                       "the run is accepted and once the job has ended"})
    late_by_s = fields.Integer(allow_none=True, metadata={
        "description": "how many seconds past the end of its window the drop-off was "
                       "expected at the last delay alert (negative: that little before "
                       "it); null when the job is not flagged late"})
    delay_reason = fields.String(allow_none=True)
    delay_reason_phrase = fields.Nested(PhraseOut, allow_none=True)
    picked_up_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    return_to = fields.Nested(PlaceOut, allow_none=True, dump_only=True, metadata={
        "description": "where a failed parcel goes back (the shop's pickup place or the "
                       "coop's return hub); null when nothing comes back"})
    planned_return_at = fields.AwareDateTime(allow_none=True, dump_only=True)
    returned_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "when the courier brought the failed parcel back (event "
                       "job.returned)"})
    unassigned_reason = fields.String(allow_none=True)
    unassigned_reason_phrase = fields.Nested(PhraseOut, allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    carried_by = fields.Function(carried_by, dump_only=True, allow_none=True, metadata={
        "description": "for a job handed to a partner coop (status with_partner, then as "
                       "it ended): the coop, its courier's first name, the step it told "
                       "(asked, pending, accepted, picked_up, delivered, failed, returned), "
                       "its ETA, and whether a cancel waits for the partner's answer "
                       "(cancelling); null for a job our own couriers carry"})
    # The recipient's public link: for the shop and dispatch, never for couriers.
    tracking_url = fields.Function(tracking_url, dump_only=True, allow_none=True)
    solidarity = fields.Boolean()
    priority = fields.Integer()
    round_id = fields.Integer(allow_none=True)
    redacted = fields.Boolean(dump_default=False, metadata={
        "description": "true when the recipient (address, name, phone, notes) is withheld "
                       "from this reader: see courier.privacy"})

    @post_dump(pass_original=True)
    def _privacy(self, data, job, **kwargs):
        if not privacy.may_see(job):
            return privacy.redact_job(data)
        if not privacy.may_call(job):
            privacy.withhold_phone(data.get("recipient"))
        return data


class JobDetailOut(JobOut):
    events = fields.List(fields.Nested(EventOut))


class SubmittedJobOut(JobOut):
    """A submitted job; for a multi-drop delivery, ``parts`` lists every job of it."""

    parts = fields.List(fields.Nested(JobOut))


class CourierJobOut(JobOut):
    """A job as its courier (or the council) sees it: no recipient's tracking link."""

    class Meta:
        exclude = ("tracking_url",)


class CourierJobDetailOut(JobDetailOut):
    class Meta:
        exclude = ("tracking_url",)


def proof_needed(job) -> dict:
    """The proof a job's shop asks for (courier.proofs.policy), as the phone reads it."""
    policy = db.session.get(ProofPolicy, job.merchant_id)
    if policy is None:
        return {"required": "none", "on_failure": False}
    return {"required": str(policy.required), "on_failure": policy.on_failure}


class StopOut(Schema):
    seq = fields.Integer()
    job_id = fields.Integer()
    kind = fields.String()
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    planned_arrival = fields.AwareDateTime()
    eta = fields.AwareDateTime(allow_none=True, metadata={
        "description": "when the courier is expected here, worked out live while the run "
                       "is ridden"})
    done_at = fields.AwareDateTime(allow_none=True)
    job_status = fields.Function(lambda s: s.job.status.value, dump_only=True)
    weight_kg = fields.Function(lambda s: s.job.weight_kg, dump_only=True)
    recipient = fields.Function(lambda s: s.job.recipient if s.kind == "dropoff" else None,
                                dump_only=True)
    notes = fields.Function(lambda s: s.job.notes, dump_only=True)
    redacted = fields.Boolean(dump_default=False)
    proof = fields.Function(lambda s: proof_needed(s.job) if s.kind == "dropoff" else None,
                            dump_only=True, allow_none=True, metadata={
                                "description": "a drop-off's proof, as its shop asks: "
                                "{required: none|photo|signature|code, on_failure: a failed "
                                "delivery needs a photo}"})

    @post_dump(pass_original=True)
    def _privacy(self, data, stop, **kwargs):
        if not privacy.may_see(stop.job):
            return privacy.redact_stop(data, stop.kind)
        if not privacy.may_call(stop.job):  # an offer: the phone comes once accepted
            privacy.withhold_phone(data.get("recipient"))
        return data


class RunOut(Schema):
    id = fields.Integer()
    status = fields.String()
    courier = fields.Nested(CourierRef)
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    accepted_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    planned_start = fields.AwareDateTime()
    planned_end = fields.AwareDateTime()
    distance_m = fields.Integer()
    reason = fields.String()
    reason_phrase = fields.Nested(PhraseOut, allow_none=True)
    stops = fields.List(fields.Nested(StopOut))
    estimated_pay_cents = fields.Method("_pay", allow_none=True, metadata={
        "description": "what the run pays its courier under the rules in force, computed "
                       "as the earnings report does (deliveries, km, their bonuses; hours "
                       "on shift are paid apart): estimated while offered or ridden, "
                       "earned once it ends; null for a volunteer"})

    def _pay(self, run):
        pay = current_app.extensions.get(RUN_PAY) if has_app_context() else None
        return pay(run) if pay is not None else None


class CourierOut(Schema):
    id = fields.Integer()
    name = fields.String()
    vehicle = fields.String()
    capacity_kg = fields.Float()
    capacity_l = fields.Float()
    on_shift = fields.Boolean()
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    position_at = fields.AwareDateTime(allow_none=True)


_JOB_OUT = JobOut()  # one instance each: building a schema copies all its fields
_RUN_OUT = RunOut()


def dump_job(job) -> dict:
    return _JOB_OUT.dump(job)


def dump_run(run) -> dict:
    return _RUN_OUT.dump(run)
