"""Web Push: the server's public key, and the devices a member is notified on."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from marshmallow import Schema, fields, validate

from courier.errors import Conflict
from courier.extensions import db
from courier.journal import devices, vapid
from courier.models import Role
from courier.validation import Strict
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("push", __name__, description="Web Push: offers sent to couriers' devices")


class KeyOut(Schema):
    enabled = fields.Boolean(metadata={"description": "whether this server sends pushes"})
    public_key = fields.String(allow_none=True, metadata={
        "description": "the VAPID public key (applicationServerKey), base64url"})


class KeysIn(Strict):
    p256dh = fields.String(required=True, validate=validate.Length(1, 128))
    auth = fields.String(required=True, validate=validate.Length(1, 64))


class DeviceIn(Strict):
    """A browser's ``PushSubscription.toJSON()``, and a name for the device."""

    endpoint = fields.String(required=True, validate=validate.Length(1, devices.ENDPOINT_MAX))
    keys = fields.Nested(KeysIn, required=True)
    expirationTime = fields.Raw(allow_none=True, load_default=None)  # noqa: N815 (the browser's)
    label = fields.String(load_default="", validate=validate.Length(max=80))


class DeviceOut(Schema):
    id = fields.Integer()
    label = fields.String()
    service = fields.Function(lambda d: urlsplit(d.endpoint).hostname or "", metadata={
        "description": "the push service's host (the browser maker's)"})
    created_at = fields.AwareDateTime()
    last_sent_at = fields.AwareDateTime(allow_none=True)


class DeviceList(Schema):
    devices = fields.List(fields.Nested(DeviceOut))


@blp.route("/push/key", methods=["GET"])
@require(Role.COURIER)
@blp.response(200, KeyOut)
@blp.doc(security=BEARER)
def key():
    """The key a browser subscribes with; ``enabled`` is false when this server has none
    (then no device can be notified)."""
    pair = vapid.load()
    return {"enabled": pair is not None,
            "public_key": vapid.public_key(pair) if pair is not None else None}


@blp.route("/push/devices", methods=["GET"])
@require()
@blp.response(200, DeviceList)
@blp.doc(security=BEARER)
def list_devices():
    """Your devices notified of offers."""
    return {"devices": devices.of(user())}


@blp.route("/push/devices", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(DeviceIn)
@blp.response(201, DeviceOut)
@blp.doc(security=BEARER)
def add_device(data):
    """Notify this device of your offers (its browser's push subscription). The same
    endpoint again updates its keys. A handful of devices per courier at most."""
    label = data["label"] or devices.label_of(request.headers.get("User-Agent", ""))
    sub = devices.subscribe(user(), data["endpoint"], data["keys"]["p256dh"],
                            data["keys"]["auth"], label)
    if vapid.load() is None:
        db.session.rollback()
        raise Conflict("this server sends no pushes (no VAPID key: run courier init)",
                       {"endpoint": "push is not set up on this server"})
    db.session.commit()
    return sub


@blp.route("/push/devices/<int:device_id>", methods=["DELETE"])
@require()
@blp.response(204)
@blp.doc(security=BEARER)
def remove_device(device_id):
    """Stop notifying one of your devices."""
    devices.remove(user(), device_id)
    db.session.commit()
