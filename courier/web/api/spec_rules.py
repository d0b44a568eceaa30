"""What the OpenAPI description says beyond field by field: the rules the request schemas
check across fields (``validates_schema``), stated in JSON Schema so that a client
generated from the description, or a fuzzer's valid cases, send what the API accepts.

- a place (``PlaceIn``, each of ``DropoffIn``): ``lat`` and ``lon``, or a non-blank
  ``address`` alone, geocoded; without a geocoder configured, ``lat`` and ``lon``;
- a pickup (``PickupIn``): both ``lat`` and ``lon``, or neither (the shop's location);
- a job (``JobIn``): ``dropoff`` or ``dropoffs``, one of them; a ``slot`` or
  ``ready_at``/``deliver_by``, not both.
"""

from __future__ import annotations

LAT_OR_LON = {"anyOf": [{"required": ["lat"]}, {"required": ["lon"]}]}


def place_rule(geocoder: bool) -> dict:
    """``lat`` and ``lon``, or (with a geocoder) a non-blank address and no coordinates."""
    if not geocoder:
        return {"required": ["lat", "lon"]}
    return {"oneOf": [
        {"required": ["lat", "lon"]},
        {"required": ["address"], "properties": {"address": {"pattern": r"\S"}},
         "not": LAT_OR_LON},
    ]}


PICKUP_RULE = {"oneOf": [{"required": ["lat", "lon"]}, {"not": LAT_OR_LON}]}
JOB_RULE = {
    "oneOf": [{"required": ["dropoff"]}, {"required": ["dropoffs"]}],
    "not": {"required": ["slot"],
            "anyOf": [{"required": ["ready_at"]}, {"required": ["deliver_by"]}]},
}


def state_rules(spec, config) -> None:
    """Add the cross-field rules to the request schemas of ``spec`` (an apispec APISpec,
    after every blueprint is registered)."""
    schemas = spec.components.schemas
    place = place_rule(bool(config.get("GEOCODER")))
    for name in ("PlaceIn", "DropoffIn"):
        if name in schemas:
            schemas[name].update(place)
    if "PickupIn" in schemas:
        schemas["PickupIn"].update(PICKUP_RULE)
    if "JobIn" in schemas:
        schemas["JobIn"].update(JOB_RULE)
