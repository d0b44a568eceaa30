"""The recipient's tracking link, as JSON for its public page (no login: the token
in the link is the secret)."""

from __future__ import annotations

from marshmallow import Schema, fields

from courier import tracking
from courier.web.api.common import Blueprint

blp = Blueprint("tracking", __name__, description="Public tracking links")


class WindowOut(Schema):
    start = fields.String()
    end = fields.String()


class TrackedCourierOut(Schema):
    first_name = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    position_at = fields.String(allow_none=True)


class TrackingOut(Schema):
    status = fields.String()
    shop = fields.String()
    window = fields.Nested(WindowOut)
    eta = fields.String(allow_none=True, metadata={
        "description": "when the courier is expected, worked out live while they ride it"})
    delayed = fields.Boolean(metadata={
        "description": "the delivery is expected after the shop's window"})
    deliver_by = fields.String()
    picked_up_at = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)
    courier = fields.Nested(TrackedCourierOut, allow_none=True)
    carried_by = fields.String(allow_none=True, metadata={
        "description": "the partner coop that carries it, when it is not ours"})
    expires_at = fields.String(allow_none=True)


@blp.route("/track/<token>", methods=["GET"])
@blp.response(200, TrackingOut)
@blp.alt_response(404, description="No such link")
@blp.alt_response(410, description="The link has expired (3 hours after the end)")
def track(token):
    """Status, planned window and, while the parcel is on the bike, where the courier is."""
    return tracking.public_view(tracking.find(token))
