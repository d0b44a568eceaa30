"""How the app answers an error: JSON for the API (``{"error", "fields"}``, with the
message's phrase when pages can translate it), an error page for everything else, in
the reader's language (``courier.i18n`` picks it)."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from courier.texts import Phrase, phrase_json

# What each common HTTP error means to a person: a title and a sentence.
STATUS_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    401: (_l("Not logged in"), _l("Log in to see this page.")),
    403: (_l("Not allowed"), _l("Your account is not allowed to see this page.")),
    404: (_l("Page not found"), _l("There is no page at this address: check it, or start "
                                   "again from the home page.")),
    405: (_l("Not possible here"), _l("This address cannot be used that way.")),
    409: (_l("Conflict"), _l("This changed in the meantime: reload the page and try again.")),
    410: (_l("Gone"), _l("What was here is no longer available.")),
    413: (_l("Too large"), _l("What was sent is too large.")),
    414: (_l("Address too long"), _l("The address of this page is too long.")),
    415: (_l("Unsupported format"), _l("What was sent is not in a format this page reads.")),
    422: (_l("Invalid input"), _l("Some of what was sent is not valid.")),
    429: (_l("Too many attempts"), _l("Too many attempts: wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An error on our side: try again in a moment.")),
    502: (_l("Unavailable"), _l("The service is unavailable for a moment: try again soon.")),
    503: (_l("Unavailable"), _l("The service is unavailable for a moment: try again soon.")),
    504: (_l("Unavailable"), _l("The service is unavailable for a moment: try again soon.")),
}
OTHER = (_l("Error"), _l("The request could not be completed."))


def error_response(status: int, message: str, fields: dict | None = None):
    body = {"error": message, "fields": fields or {}}
    phrase = phrase_json(message)  # a sentence pages show in the reader's language
    if phrase is not None:
        body["error_phrase"] = phrase
    resp = jsonify(body)
    resp.status_code = status
    return resp


def translated(text: str) -> str:
    """``text`` in the reader's language: a phrase (``courier.texts``) filled from its
    translated template, a fixed sentence as the catalogue has it, else as it is."""
    if isinstance(text, Phrase):
        values = {k: translated(v) if isinstance(v, Phrase) else v
                  for k, v in text.values.items()}
        return gettext(text.template).format(**values)
    return gettext(text)


def error_page(status: int, message: str | None = None):
    """The app's own page for an error, in the reader's language: what the status means,
    then the server's own message, if any, translated when the catalogue has it (else
    marked as English, for screen readers)."""
    title, text = STATUS_TEXTS.get(status, OTHER)
    detail = translated(message) if message else None
    untranslated = detail is not None and detail == message and not isinstance(message, Phrase)
    detail_lang = "en" if untranslated and str(get_locale()) != "en" else None
    return render_template("error.html", status=status, title=title, text=text, detail=detail,
                           detail_lang=detail_lang), status
