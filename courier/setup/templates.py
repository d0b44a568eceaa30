"""Rules templates a new coop can start from (``courier init --rules``).

``fr-road-transport``: the French road-transport convention, as shipped with the
fair-work rules (:data:`courier.fairwork.rules.TEMPLATE`).

``eu-working-time``: the floor of the EU Working Time Directive 2003/88/EC: 11
consecutive hours of daily rest (art. 3), a break when the working day is longer
than six hours (art. 4; its length is left to national law, 20 minutes here as in
the UK Working Time Regulations 1998, reg. 12), a weekly rest of 24 hours in
every seven days (art. 5: at most six days in a row), 48 hours a week (art. 6,
an average there, a cap here). No daily cap beyond what the daily rest leaves
(13 hours). Load, pay and fairness are the French template's: those are the
council's choices, not the law's.

A JSON file may be given instead: a partial rules document laid over the French
template and validated like the council's own changes.
"""

from __future__ import annotations

import json
from pathlib import Path

from courier.errors import InvalidInput
from courier.fairwork import rules as R

H = 3600
EU = {"working_time": {
    "max_day": {"enforce": "block", "limit_s": 13 * H},
    "max_week": {"enforce": "block", "limit_s": 48 * H},
    "daily_rest": {"enforce": "block", "min_s": 11 * H},
    "break": {"enforce": "block", "after_s": 6 * H, "duration_s": 20 * 60},
    "consecutive_days": {"enforce": "block", "max_days": 6},
}}
TEMPLATES = {"fr-road-transport": {}, "eu-working-time": EU}
ALIASES = {"fr": "fr-road-transport", "eu": "eu-working-time"}


def load(choice: str) -> tuple[str, dict]:
    """``(label, rules document)`` of a template name or a JSON file of changes."""
    name = ALIASES.get(choice, choice)
    if name in TEMPLATES:
        return name, R.validate(R.merge(R.template(), TEMPLATES[name]))
    path = Path(choice)
    if not path.is_file():
        raise InvalidInput(f"unknown rules template {choice!r}: choose "
                           f"{', '.join(TEMPLATES)} or give a JSON file",
                           {"rules": "unknown template"})
    try:
        change = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InvalidInput(f"{choice} is not a JSON rules document: {err}",
                           {"rules": "not JSON"}) from None
    return path.name, R.validate(R.merge(R.template(), change))
