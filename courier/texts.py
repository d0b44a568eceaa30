"""Sentences the server writes for people (why a job was not assigned, why a run went to
a courier, which rule a plan comes close to), readable in every language of the pages.

Each is a :class:`Phrase`: the English sentence (what the API's ``reason`` fields and the
event log hold, unchanged) that also keeps its template and values. Templates are marked
with :func:`N_`, so that ``scripts/i18n.sh`` extracts them into the catalogue and pages
receive their translations (:func:`courier.web.strings.js_catalogue`). The structure is
stored next to the sentence (``*_phrase`` columns) and served as
``{"template": ..., "values": {...}}``; a page fills the translated template with the
values, themselves phrases or plain values (names, numbers, times).

    NO_COURIER = N_("not assigned: no courier on shift")
    HELD = N_("held back: {why}")
    Phrase(HELD, why=Phrase(NO_COURIER))    # "held back: not assigned: no courier on shift"
"""

from __future__ import annotations

from typing import Any

TEMPLATES: dict[str, None] = {}  # every template marked, in order


def N_(template: str) -> str:
    """Mark ``template`` (English, with ``{named}`` fields) as one pages translate."""
    TEMPLATES.setdefault(template)
    return template


class Phrase(str):
    """An English sentence made from a template and its values (see the module)."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Phrase:
        self = super().__new__(cls, template.format(**values))
        self.template, self.values = template, values
        return self

    def as_json(self) -> dict:
        return {"template": self.template,
                "values": {k: phrase_json(v) if isinstance(v, Phrase) else v
                           for k, v in self.values.items()}}

    def __reduce__(self):  # copies and pickles keep the structure
        return (_rebuild, (self.template, self.values))


def _rebuild(template: str, values: dict) -> Phrase:
    return Phrase(template, **values)


SERIES = N_("{first}; {rest}")  # French sets a space before the semicolon


def joined(parts: list) -> Phrase | str:
    """``parts`` (phrases or strings) in a series separated by semicolons, still
    translatable part by part (nested pairs); a plain string when none is a phrase."""
    if not any(isinstance(p, Phrase) for p in parts):
        return "; ".join(parts)
    series = parts[-1]
    for part in reversed(parts[:-1]):
        series = Phrase(SERIES, first=part, rest=series)
    return series


def phrase_json(text) -> dict | None:
    """The structure of ``text`` to store and serve, None for a plain string."""
    return text.as_json() if isinstance(text, Phrase) else None


REASON_LENGTH = 500  # of the reason columns (jobs, runs, events)


def stored(text: str) -> tuple[str, dict | None]:
    """A reason as its two columns hold it: the sentence, cut to the column's length, and
    its phrase (None for plain text)."""
    return text[:REASON_LENGTH], phrase_json(text)
