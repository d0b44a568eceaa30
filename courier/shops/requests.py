"""What a delivery request holds, field by field: the body of ``POST /api/v1/jobs``,
and each row of a CSV import, checked by the same schema."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from courier.validation import Lat, Lon, Moment, Strict


class PlaceIn(Strict):
    """Coordinates, or an address alone (geocoded when a geocoder is configured)."""

    lat = fields.Float(validate=Lat, allow_nan=False)
    lon = fields.Float(validate=Lon, allow_nan=False)
    address = fields.String(load_default="", validate=validate.Length(max=255))

    @validates_schema
    def _where(self, data, **kwargs):
        if "lat" in data and "lon" not in data:
            raise ValidationError("give lon with lat", "lon")
        if "lon" in data and "lat" not in data:
            raise ValidationError("give lat with lon", "lat")
        if "lat" not in data and not data.get("address", "").strip():
            raise ValidationError("give lat and lon, or an address", "lat")


class PickupIn(Strict):
    """A pickup may leave out the coordinates: the shop's own location is used."""

    lat = fields.Float(validate=Lat, allow_nan=False)
    lon = fields.Float(validate=Lon, allow_nan=False)
    address = fields.String(load_default="", validate=validate.Length(max=255))

    @validates_schema
    def _both(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("give both lat and lon, or neither", "lat")


class RecipientIn(Strict):
    name = fields.String(load_default="", validate=validate.Length(max=120))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    email = fields.Email(validate=validate.Length(max=254), metadata={
        "description": "for the messages the shop chose to send (docs/messages.md)"})
    language = fields.String(validate=validate.OneOf(("fr", "en")), metadata={
        "description": "the language of the recipient's messages (default: the coop's)"})
    code = fields.String(validate=validate.Regexp(r"^[0-9]{4,12}$", error="4 to 12 digits"),
                         metadata={"description": "the code the recipient gives the courier "
                                   "at the door, when the shop asks for one and chose it itself "
                                   "(else the coop makes one: GET /jobs/{id}/proof)"})


class DropoffIn(PlaceIn):
    """One drop-off of a multi-drop delivery, with what is left there."""

    weight_kg = fields.Float(load_default=0.0, allow_nan=False,
                             validate=validate.Range(0, 1000, error="must be between 0 and 1000"))
    volume_l = fields.Float(load_default=0.0, allow_nan=False,
                            validate=validate.Range(0, 5000, error="must be between 0 and 5000"))
    recipient = fields.Nested(RecipientIn)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))


class JobIn(Strict):
    pickup = fields.Nested(PickupIn)
    dropoff = fields.Nested(PlaceIn)
    dropoffs = fields.List(fields.Nested(DropoffIn), validate=validate.Length(
        2, 50, error="a multi-drop delivery has 2 to 50 drop-offs"))
    slot = fields.String(validate=validate.Length(1, 40))
    weight_kg = fields.Float(load_default=0.0, allow_nan=False,
                             validate=validate.Range(0, 1000, error="must be between 0 and 1000"))
    volume_l = fields.Float(load_default=0.0, allow_nan=False,
                            validate=validate.Range(0, 5000, error="must be between 0 and 5000"))
    ready_at = fields.AwareDateTime(format="iso", validate=Moment)
    deliver_by = fields.AwareDateTime(format="iso", validate=Moment)
    recipient = fields.Nested(RecipientIn)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _window(self, data, **kwargs):
        if "ready_at" in data and "deliver_by" in data and data["deliver_by"] <= data["ready_at"]:
            raise ValidationError("must be after ready_at", "deliver_by")
        if "slot" in data and ("ready_at" in data or "deliver_by" in data):
            raise ValidationError("give a slot or ready_at/deliver_by, not both", "slot")

    @validates_schema
    def _dropoffs(self, data, **kwargs):
        if "dropoff" in data and "dropoffs" in data:
            raise ValidationError("give dropoff or dropoffs, not both", "dropoffs")
        if "dropoff" not in data and "dropoffs" not in data:
            raise ValidationError("required (or dropoffs, for several)", "dropoff")
        for key in ("weight_kg", "volume_l", "recipient", "notes"):
            if "dropoffs" in data and data.get(key):  # it would apply to no drop-off
                raise ValidationError("give it on each of the dropoffs", key)
