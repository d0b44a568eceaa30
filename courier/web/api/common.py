"""Small helpers shared by the API's blueprints, and what every one of them refuses:
a field, in the body or the query string, that the endpoint does not read."""

from __future__ import annotations

from copy import deepcopy
from functools import cache

from flask import Response, current_app, g, request
from flask_smorest import Blueprint as _Blueprint
from marshmallow import ValidationError
from marshmallow import fields as ma_fields
from webargs.flaskparser import FlaskParser

from courier.errors import NotFound
from courier.extensions import db
from courier.web.answers import error_response

BEARER = [{"bearerAuth": []}]
UNKNOWN = "Unknown field."  # marshmallow's words, for the same refusal
BODY_LOCATIONS = {"json", "form", "files", "json_or_form"}


class StrictParser(FlaskParser):
    """webargs' parser, except that the query string is held to its schema like a body
    (webargs drops unknown query parameters by default): a typo such as ``?stauts=`` is
    refused with 422 instead of silently listing everything."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": None, "querystring": None}

    def load_querystring(self, req, schema):
        """The query string, with a parameter that takes one value given more than once
        (``?offset=1&offset=2``, an array where the description says integer) refused
        instead of read as its first value."""
        lists = {f.data_key or name for name, f in schema.fields.items()
                 if isinstance(f, ma_fields.List | ma_fields.Tuple)}
        repeated = {name: ["Give it once: it takes one value."]
                    for name, values in req.args.lists() if len(values) > 1 and name not in lists}
        if repeated:
            raise ValidationError(repeated)
        return super().load_querystring(req, schema)

    def load_json(self, req, schema):
        """The JSON body, with a boolean field given anything but ``true`` or ``false``,
        or a number field given anything but a JSON number, refused: marshmallow would
        read ``0``, ``1`` or ``"yes"`` as a boolean, ``"5"`` as a number and ``2.5`` as
        the integer 2."""
        data = super().load_json(req, schema)
        wrong = not_booleans(schema, data)
        if wrong:
            raise ValidationError(wrong)
        return data


def _wrong_type(field, value) -> str | None:
    if isinstance(field, ma_fields.Boolean) and not isinstance(value, bool):
        return "Not a valid boolean: give true or false."
    if isinstance(field, ma_fields.Number) and (
            isinstance(value, bool) or not isinstance(value, int | float)):
        return "Not a valid number."
    if isinstance(field, ma_fields.Integer) and isinstance(value, float) \
            and not value.is_integer():
        return "Not a valid integer."
    return None


def not_booleans(schema, data) -> dict:
    """The members of ``data`` that ``schema`` reads as booleans or numbers and are not
    JSON ones (an integer with a fraction included), nested as marshmallow words its
    errors."""
    if not isinstance(data, dict):
        return {}
    wrong = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if (message := _wrong_type(field, value)) is not None:
            wrong[key] = [message]
        elif isinstance(field, ma_fields.Nested) and isinstance(value, dict):
            inner = not_booleans(field.schema, value)
            if inner:
                wrong[key] = inner
        elif (isinstance(field, ma_fields.List) and isinstance(field.inner, ma_fields.Nested)
              and isinstance(value, list)):
            inner = {i: e for i, item in enumerate(value)
                     if (e := not_booleans(field.inner.schema, item))}
            if inner:
                wrong[key] = inner
    return wrong


class Blueprint(_Blueprint):
    """flask-smorest's blueprint: each arguments schema is built once (given a class,
    webargs would build a new instance, copying every field, on every request); unknown
    fields are refused in the query as in the body; and an endpoint that reads no body
    (or no query string) refuses one that carries fields (see ``refuse_unread``)."""

    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_value_preprocessor(_body_limit)  # before anything reads the body
        self.before_request(refuse_unread)

    def arguments(self, schema, *args, **kwargs):
        return super().arguments(schema() if isinstance(schema, type) else schema,
                                 *args, **kwargs)

    @staticmethod
    def also_200(json_schema: str, content_type: str, description: str):
        """A 200 answer in JSON (the component ``json_schema``) or in another type (a
        report as CSV with ``format=csv``): ``alt_response`` with the same status would
        replace the JSON content instead of adding to it."""
        return _Blueprint.doc(responses={"200": {"description": description, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{json_schema}"}},
            content_type: {"schema": {"type": "string"}}}}})

    @staticmethod
    def raw_body(content: dict, description: str, max_length: int | None = None):
        """For a view that reads its body itself (a CSV file, GeoJSON, a schedule checked
        key by key): describes the body in the OpenAPI description and lets it past
        ``refuse_unread``; ``max_length`` replaces the app's ``MAX_CONTENT_LENGTH`` for
        it. The view must refuse what it does not understand itself."""

        def decorator(view):
            doc = deepcopy(getattr(view, "_apidoc", {}))
            doc.setdefault("manual_doc", {})["requestBody"] = {
                "required": True, "description": description, "content": content}
            view._apidoc = doc
            view.reads_body = True
            view.max_body = max_length
            return view

        return decorator


def _body_limit(endpoint, values) -> None:
    """The body limit of this request's kind, when its view has one of its own."""
    limit = getattr(current_app.view_functions.get(endpoint or ""), "max_body", None)
    if limit:
        request.max_content_length = limit


@cache
def reads(view) -> tuple[bool, bool]:
    """Whether an API view reads (a body, a query string)."""
    params = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    where = {p["in"] for p in params}
    return bool(where & BODY_LOCATIONS) or getattr(view, "reads_body", False), "query" in where


def refuse_unread():
    """Refuse, naming them, the fields of a request that its endpoint would ignore: query
    parameters of an endpoint that takes none, and a body (JSON members, form fields)
    sent to one that takes none, e.g. ``{"signature": ...}`` to ``/jobs/1/delivered``.
    An empty body, ``{}`` or ``null``, is no body. A body that is not JSON, sent to an
    endpoint that reads JSON, is answered 415 rather than read as no body at all."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.method == "OPTIONS":
        return None
    takes_body, takes_query = reads(view)
    fields = {} if takes_query else dict.fromkeys(request.args, UNKNOWN)
    if not _has_body():
        pass  # (most requests: nothing more to look at)
    elif not takes_body:
        fields.update(_body_fields())
    elif not getattr(view, "reads_body", False) and not request.is_json:
        return error_response(415, "send the body as JSON (Content-Type: application/json)",
                              {"_body": "not JSON"})
    if not fields:
        return None
    first = next(iter(fields))
    return error_response(422, f"invalid {first}: {fields[first]}", fields)


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()


def _body_fields() -> dict:
    """The fields of a body sent to an endpoint that takes none."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return dict.fromkeys([*request.form, *request.files], UNKNOWN)
    raw = request.get_data(cache=True).strip()
    if not raw:
        return {}
    if request.is_json:
        data = request.get_json(silent=True)
        if data == {} or raw == b"null":
            return {}
        if isinstance(data, dict):
            return dict.fromkeys(map(str, data), UNKNOWN)
    return {"_body": "this endpoint takes no body"}


MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one names nothing


def get_or_404(model, obj_id: int, what: str | None = None):
    obj = db.session.get(model, obj_id) if 0 <= obj_id <= MAX_ID else None
    if obj is None:
        raise NotFound(f"no {what or model.__name__.lower()} {obj_id}")
    return obj


def user():
    return g.user


def download(body, mimetype: str, name: str, inline: bool = False, **headers) -> Response:
    """A file answer: ``body`` as ``mimetype``, named ``name`` (shown in the browser when
    ``inline``, else saved), with any further ``headers``."""
    how = "inline" if inline else "attachment"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'{how}; filename="{name}"', **headers})
