"""What the API accepts: request bodies and query strings, validated field by field."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from courier.shops.requests import (  # noqa: F401  (the API's bodies)
    DropoffIn,
    JobIn,
    PickupIn,
    PlaceIn,
    RecipientIn,
)
from courier.validation import Lat, Lon, Moment, Strict  # noqa: F401  (shared by the API)


class JobQuery(Schema):
    status = fields.String(validate=validate.OneOf(
        ["pending", "offered", "accepted", "picked_up", "delivered", "failed", "cancelled",
         "with_partner"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10**9))


class ReasonIn(Strict):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class FailedIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ShiftIn(Strict):
    online = fields.Boolean(required=True)
    lat = fields.Float(validate=Lat, allow_nan=False)
    lon = fields.Float(validate=Lon, allow_nan=False)
    emergency = fields.Boolean(load_default=False, metadata={
        "description": "going off shift with work accepted: hand it back to dispatch"})
    reason = fields.String(load_default="", validate=validate.Length(max=500), metadata={
        "description": "what happened (required in an emergency)"})


class PositionIn(Strict):
    lat = fields.Float(required=True, validate=Lat, allow_nan=False)
    lon = fields.Float(required=True, validate=Lon, allow_nan=False)


class IdempotencyHeader(Schema):
    class Meta:
        unknown = "exclude"

    key = fields.String(data_key="Idempotency-Key", validate=validate.Length(1, 255))
