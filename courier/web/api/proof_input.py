"""What a courier sends with a stop's action: JSON, or a multipart form whose files are
the proof (a photo, a signature). Read here, field by field, for
``/jobs/{id}/delivered`` and ``/jobs/{id}/failed``; the proof itself is judged by
dispatch (:func:`courier.dispatch.runs.mark_delivered`)."""

from __future__ import annotations

from flask import current_app, request
from marshmallow import ValidationError, fields, validate

from courier.errors import DomainError, InvalidInput
from courier.proofs.policy import Given
from courier.validation import Strict, flatten
from courier.web.api.common import Blueprint

UPLOAD_LIMIT = 2 * 10 * 1024 * 1024 + 256 * 1024  # two files of 10 MB and the form around


class DeliveredIn(Strict):
    code = fields.String(validate=validate.Length(1, 20), metadata={
        "description": "the code the recipient gave, when the shop asks for one"})


class FailedIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class Unsupported(DomainError):
    status = 415


FILES = {"delivered": ("photo", "signature"), "failed": ("photo",)}
_FILE = {"type": "string", "format": "binary"}


def body_doc(schema: dict, files: tuple[str, ...], description: str, required: bool):
    """The view's body in the OpenAPI description: JSON, or the same fields as a
    multipart form with ``files``; the view reads it with :func:`read`."""
    form = {**schema, "properties": {**schema.get("properties", {}),
                                     **{name: _FILE for name in files}}}
    decorate = Blueprint.raw_body({"application/json": {"schema": schema},
                                   "multipart/form-data": {"schema": form}},
                                  description, max_length=UPLOAD_LIMIT)

    def decorator(view):
        view = decorate(view)
        view._apidoc["manual_doc"]["requestBody"]["required"] = required
        return view

    return decorator


def read(action: str, schema) -> tuple[dict, Given]:
    """The fields and the proof of this request."""
    if not _has_body():
        data, uploads = {}, {}
    elif request.mimetype == "multipart/form-data":
        data, uploads = _form(action)
    elif request.is_json:
        data, uploads = request.get_json(silent=True), {}
        if data is None and request.get_data(cache=True).strip() not in (b"", b"null"):
            raise InvalidInput("the body is not valid JSON", {"_body": "not valid JSON"})
        data = data or {}
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object", {"_body": "not an object"})
    else:
        raise Unsupported("send JSON, or a multipart form with the proof's files",
                          {"_body": "not JSON or multipart/form-data"})
    try:
        loaded = schema.load(data)
    except ValidationError as err:
        found = flatten(err.messages)
        first = next(iter(found))
        raise InvalidInput(f"invalid {first}: {found[first]}", found) from None
    given = Given(photo=uploads.get("photo"), signature=uploads.get("signature"),
                  code=loaded.pop("code", None))
    return loaded, given


def _form(action: str) -> tuple[dict, dict]:
    limit = current_app.config["PROOF_MAX_BYTES"]
    try:
        unknown = [name for name in request.files if name not in FILES[action]]
        if unknown:
            raise InvalidInput(f"invalid {unknown[0]}: Unknown field.",
                               dict.fromkeys(unknown, "Unknown field."))
        uploads = {}
        for name in FILES[action]:
            parts = request.files.getlist(name)
            if len(parts) > 1:
                raise InvalidInput(f"send one {name}", {name: "sent more than once"})
            if parts:
                uploads[name] = parts[0].stream.read(limit + 1)
        return request.form.to_dict(), uploads
    finally:
        for part in request.files.values():
            part.close()  # large uploads are temporary files: gone now, not at exit


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()
