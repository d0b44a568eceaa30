"""What the OpenAPI description says beyond field by field: the rules the request schemas
check across fields (``validates_schema``), stated in JSON Schema so that a client
generated from the description, or a fuzzer's valid cases, send what the API accepts.

- a place (``PlaceIn``, each of ``DropoffIn``): ``lat`` and ``lon``, or a non-blank
  ``address`` alone, geocoded; without a geocoder configured, ``lat`` and ``lon``;
- a pickup (``PickupIn``): both ``lat`` and ``lon``, or neither (the shop's location);
- a hub's producer (``ProducerIn``): a place, as above;
- a job (``JobIn``): ``dropoff`` or ``dropoffs``, one of them (with ``dropoffs``, the
  weight, volume, notes and recipient are each drop-off's, none the job's); a ``slot`` or
  ``ready_at``/``deliver_by``, not both;
- the federation's settings (``SettingsIn``): one setting at least;
- a nested object that may be null (``allow_none``): that object, or null, and no other
  object (the generated description's null branch, ``{"type": "object", "nullable": true}``,
  let any object through: ``{"return_hub": {}}`` was valid by it).
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
    "oneOf": [{"required": ["dropoff"]},
              {"required": ["dropoffs"], "not": {"required": ["recipient"]},
               "properties": {"weight_kg": {"enum": [0]}, "volume_l": {"enum": [0]},
                              "notes": {"maxLength": 0}}}],
    "not": {"required": ["slot"],
            "anyOf": [{"required": ["ready_at"]}, {"required": ["deliver_by"]}]},
}


def state_rules(spec, config) -> None:
    """Add the cross-field rules to the request schemas of ``spec`` (an apispec APISpec,
    after every blueprint is registered)."""
    schemas = spec.components.schemas
    place = place_rule(bool(config.get("GEOCODER")))
    rules = {"PlaceIn": place, "DropoffIn": place, "ProducerIn": place,
             "PickupIn": PICKUP_RULE, "JobIn": JOB_RULE, "SettingsIn": {"minProperties": 1}}
    for name, rule in rules.items():
        if name in schemas:
            _add(schemas[name], rule)
    for schema in schemas.values():
        _null_only(schema)


NULL_BRANCH = {"type": "object", "nullable": True}


def _null_only(schema) -> None:
    """Each nullable nested object's null branch admits null alone (``enum: [null]``)."""
    if isinstance(schema, dict):
        for branch in schema.get("anyOf", []):
            if branch == NULL_BRANCH:
                branch["enum"] = [None]
        for value in schema.values():
            _null_only(value)
    elif isinstance(schema, list):
        for value in schema:
            _null_only(value)


def _add(schema: dict, rule: dict) -> None:
    """``rule``'s keywords into ``schema``, its required fields beside the schema's own."""
    for key, value in rule.items():
        if key == "required":
            value = [*schema.get("required", []),
                     *(f for f in value if f not in schema.get("required", []))]
        schema[key] = value
