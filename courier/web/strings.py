"""The words the pages' scripts show, translated on the server.

Scripts call ``t("English text")``; ``babel.cfg`` extracts those calls into the
catalogue like any ``_()`` of a template, and each page embeds the translations
of every ``t()`` string for the user's language. The API answers in English (it
is a machine interface): ``static/js/messages.js`` lists its field messages
inside ``t()`` so that pages show them translated next to the field.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.messages.extract import extract
from flask import current_app
from flask_babel import get_locale, gettext


@functools.cache
def js_msgids(static_folder: str, names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every string given to ``t()`` in the pages' scripts (or those ``names``), found
    by Babel's own extractor, as ``scripts/i18n.sh`` finds them. Read once."""
    found: dict[str, None] = {}
    for path in sorted(Path(static_folder, "js").glob("*.js")):
        if names and path.name not in names:
            continue
        with path.open("rb") as fh:
            for _, msgid, _, _ in extract("javascript", fh, keywords={"t": None},
                                          options={"parse_template_string": True}):
                if isinstance(msgid, str):
                    found.setdefault(msgid)
    return tuple(found)


def phrase_templates() -> tuple[str, ...]:
    """The templates of the sentences the server writes (:mod:`courier.texts`)."""
    # Dispatch and what it imports mark them when loaded.
    from courier.dispatch import cycle, overrides  # noqa: F401
    from courier.fairwork import tracking  # noqa: F401
    from courier.texts import TEMPLATES

    return tuple(TEMPLATES)


def js_catalogue() -> dict[str, str]:
    """``{English: translation}`` for the current user's language: the scripts' words
    and the templates of the server's sentences."""
    if str(get_locale()) == "en":
        return {}
    return {m: gettext(m) for m in (*js_msgids(current_app.static_folder), *phrase_templates())}


def page_locale() -> str:
    return str(get_locale())
