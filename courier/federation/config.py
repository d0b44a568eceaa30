"""The council's federation settings (kept as the coop setting ``federation``): when jobs
are handed to partner coops, what this coop takes from them, and how long a partner has
to answer."""

from __future__ import annotations

from courier import settings
from courier.errors import InvalidInput

KEY = "federation"
DEFAULTS = {
    # hand a job over by itself when it waited this long with no courier able to take it
    "auto_handoff": False,
    "pending_minutes": 15,
    # take jobs whose drop-off is outside our zones but inside an active partner's,
    # and hand them to that partner at once
    "outside_zone": False,
    # the most we agree to owe for one job (None: the partner's list price, whatever it is)
    "max_price_cents": None,
    # what we take from partners: hours (local, "HH:MM"), days; None: any time
    "hours": None,
    # seconds a partner has to answer an ask, then the job stays ours
    "answer_timeout_s": 10,
    # take a partner's job only when a courier of ours (on shift, or booked on a slot
    # starting in time) can deliver it in its window (courier.dispatch.capacity)
    "accept_only_in_time": True,
}
_HHMM = set("0123456789:")


def get() -> dict:
    stored = settings.get(KEY) or {}
    return {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}


def _int(data: dict, name: str, lo: int, hi: int, problems: dict) -> None:
    v = data.get(name)
    if v is None and name == "max_price_cents":
        return
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        problems[name] = f"a whole number from {lo} to {hi}"


def _hours(v, problems: dict) -> None:
    if v is None:
        return
    if not isinstance(v, dict) or set(v) - {"from", "to", "days"}:
        problems["hours"] = 'null, or {"from": "HH:MM", "to": "HH:MM", "days": [...]}'
        return
    for end in ("from", "to"):
        t = v.get(end)
        if not (isinstance(t, str) and len(t) == 5 and t[2] == ":" and set(t) <= _HHMM
                and int(t[:2]) < 24 and int(t[3:]) < 60):
            problems[f"hours.{end}"] = "a time HH:MM"
    days = v.get("days", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    if not isinstance(days, list) or not set(days) <= {"mon", "tue", "wed", "thu", "fri",
                                                        "sat", "sun"}:
        problems["hours.days"] = "a list of mon, tue, wed, thu, fri, sat, sun"


def put(changes: dict) -> dict:
    """Change some settings (flushed, not committed); refuse unknown or invalid ones."""
    problems = {k: "unknown setting" for k in changes if k not in DEFAULTS}
    new = {**get(), **changes}
    for name in ("auto_handoff", "outside_zone", "accept_only_in_time"):
        if not isinstance(new[name], bool):
            problems[name] = "true or false"
    _int(new, "pending_minutes", 1, 24 * 60, problems)
    _int(new, "max_price_cents", 0, 10_000_000, problems)
    _int(new, "answer_timeout_s", 1, 120, problems)
    _hours(new["hours"], problems)
    if problems:
        name, why = next(iter(problems.items()))
        raise InvalidInput(f"invalid {name}: {why}", problems)
    settings.put(KEY, new)
    return new
