"""The weather the safety rules go by, where it comes from, and the council's override;
whether climbing can be checked (an elevation model configured)."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, validate

from courier.dispatch import conditions, terrain
from courier.extensions import db
from courier.models import Role, utcnow
from courier.schemas import PhraseOut
from courier.texts import stored
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("weather", __name__, description="Weather and terrain for the safety rules")


class WeatherValues(Schema):
    temperature_c = fields.Float(allow_none=True, metadata={"description": "°C"})
    gusts_kmh = fields.Float(allow_none=True, metadata={"description": "wind gusts, km/h"})
    rain_mm_h = fields.Float(allow_none=True, metadata={"description": "rain, mm per hour"})


class InUseOut(WeatherValues):
    source = fields.String(metadata={"description": "open-meteo, file or override"})
    age_s = fields.Integer(metadata={"description": "seconds since the conditions were "
                                                    "measured (or set by the council)"})
    stale = fields.Boolean(metadata={"description": "the source is down or slow: these are "
                                                    "the last known, with their age"})


class ReadingOut(WeatherValues):
    source = fields.String()
    observed_at = fields.AwareDateTime()
    fetched_at = fields.AwareDateTime(allow_none=True)
    age_s = fields.Integer()


class WeatherOverrideOut(WeatherValues):
    until = fields.AwareDateTime()
    set_at = fields.AwareDateTime()
    set_by = fields.String()
    reason = fields.String()


class ApplyingOut(Schema):
    rule = fields.String(metadata={"description": "safety.heat, safety.wind or safety.rain"})
    enforce = fields.String()
    why = fields.String()
    why_phrase = fields.Nested(PhraseOut, allow_none=True)
    cargo_bikes_stop = fields.Boolean()


class ElevationOut(Schema):
    configured = fields.Boolean(metadata={"description": "false: the climbing rule cannot be "
                                                         "checked"})
    sample_m = fields.Float()


class WeatherOut(Schema):
    provider = fields.String(metadata={"description": "open-meteo, file or none"})
    in_use = fields.Nested(InUseOut, allow_none=True, metadata={
        "description": "what dispatch goes by now; null: nothing known (no weather rule "
                       "applies)"})
    last_reading = fields.Nested(ReadingOut, allow_none=True)
    too_old = fields.Boolean(metadata={"description": "the last reading is past "
                                                      "max_age_s and not used"})
    error = fields.String(allow_none=True, metadata={"description": "the source's last "
                                                                    "failure"})
    failed_at = fields.AwareDateTime(allow_none=True)
    no_centre = fields.Boolean(metadata={"description": "a source is set but the coop has no "
                                                        "centre to ask the weather for"})
    override = fields.Nested(WeatherOverrideOut, allow_none=True)
    stale_after_s = fields.Integer()
    max_age_s = fields.Integer()
    applying = fields.List(fields.Nested(ApplyingOut), metadata={
        "description": "the weather rules in force whose threshold is passed now"})
    elevation = fields.Nested(ElevationOut)


class WeatherOverrideValues(Schema):
    class Meta:
        unknown = "raise"

    temperature_c = fields.Float(allow_none=True, validate=validate.Range(-50, 60))
    gusts_kmh = fields.Float(allow_none=True, validate=validate.Range(0, 300))
    rain_mm_h = fields.Float(allow_none=True, validate=validate.Range(0, 300))
    until = fields.AwareDateTime(required=True, format="iso", metadata={
        "description": "when the override ends (within two days)"})


class WeatherOverrideIn(Schema):
    class Meta:
        unknown = "raise"

    override = fields.Nested(WeatherOverrideValues, required=True, allow_none=True, metadata={
        "description": "the conditions dispatch goes by until then; null ends the override"})
    reason = fields.String(required=True, validate=validate.Length(1, 300))


def _status() -> dict:
    now = utcnow()
    out = conditions.status(now)
    applying = []
    for a in conditions.applying(now):
        sentence, phrase = stored(a["why"])
        applying.append({**a, "why": sentence, "why_phrase": phrase})
    out["applying"] = applying
    out["elevation"] = {"configured": terrain.climb_on(),
                        "sample_m": float(current_app.config["ELEVATION_SAMPLE_M"])}
    return out


@blp.route("/weather", methods=["GET"])
@require(Role.COURIER, Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, WeatherOut)
@blp.doc(security=BEARER)
def get_weather():
    """The conditions dispatch goes by now and where they come from (the source's last
    reading with its age, its last failure, the council's override), the weather rules
    they pass, and whether climbing can be checked."""
    return _status()


@blp.route("/weather/override", methods=["PUT"])
@require(Role.COUNCIL)
@blp.arguments(WeatherOverrideIn)
@blp.response(200, WeatherOut)
@blp.doc(security=BEARER)
def put_override(data):
    """The council sets the conditions until a time (the source down, a storm it misses),
    or ends its override (``null``). Recorded in the event log."""
    o = data["override"]
    if o is None:
        conditions.clear_override(user(), data["reason"])
    else:
        conditions.set_override(user(), o, o["until"], data["reason"])
    db.session.commit()
    return _status()
