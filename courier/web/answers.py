"""How the app answers an error: JSON for the API (``{"error", "fields"}``, with the
message's phrase when pages can translate it), an error page for everything else."""

from __future__ import annotations

from flask import jsonify, render_template

from courier.texts import phrase_json


def error_response(status: int, message: str, fields: dict | None = None):
    body = {"error": message, "fields": fields or {}}
    phrase = phrase_json(message)  # a sentence pages show in the reader's language
    if phrase is not None:
        body["error_phrase"] = phrase
    resp = jsonify(body)
    resp.status_code = status
    return resp


def error_page(status: int, message: str):
    return render_template("error.html", status=status, message=message), status
