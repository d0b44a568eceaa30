"""The weather dispatch goes by: the last reading of the source, or the council's override.

Readings are fetched beside the dispatch loop (:func:`refresh_if_due`, in a thread of its
own every ``WEATHER_INTERVAL`` seconds), never inside a cycle: a cycle only reads what is
stored (:func:`current`), so a source down or slow never stops dispatch. A failure is
logged and kept with the last reading; the last reading is used with its age (said in the
reasons once it is older than ``WEATHER_STALE``), and not at all once older than
``WEATHER_MAX_AGE``. The council may set the conditions itself for a while (offline, a
local storm the model misses): its override goes before any reading, and is recorded in
the event log.

Both are coop settings (``weather`` and ``weather_override``): one row each.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from flask import current_app

from courier import settings
from courier.dispatch.weather import VALUES, Reading, WeatherError, provider
from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.fairwork import tracking, versions
from courier.fairwork.safety import Weather, assess
from courier.journal import record
from courier.models import Role, User, utcnow
from courier.texts import N_, Phrase

log = logging.getLogger(__name__)
KEY, OVERRIDE = "weather", "weather_override"
BOUNDS = {"temperature_c": (-50, 60), "gusts_kmh": (0, 300), "rain_mm_h": (0, 300)}
MAX_OVERRIDE = timedelta(days=2)
NO_CENTER = "no centre set for the coop, where to ask the weather for (courier init --center)"
OVERRIDDEN = N_("the council sets the weather until {until}: {reason}")
OVERRIDE_ENDED = N_("the council's weather ends: {reason}")
_lock = threading.Lock()
LAST_TRY = "courier.weather.last_try"  # in app.extensions: when this app last asked


def _cfg(key: str) -> float:
    return float(current_app.config[key])


def _stored() -> dict:
    return settings.get(KEY) or {}


def active_override(now: datetime) -> dict | None:
    o = settings.get(OVERRIDE)
    if o and datetime.fromisoformat(o["until"]) > now:
        return o
    return None


def current(now: datetime | None = None) -> Weather | None:
    """The conditions now: the council's override while it lasts, else the last reading
    unless older than ``WEATHER_MAX_AGE``; None when neither is known."""
    now = now or utcnow()
    o = active_override(now)
    if o is not None:
        return Weather(*(o.get(k) for k in VALUES), source="override",
                       age_s=max(0, int((now - datetime.fromisoformat(o["set_at"]))
                                        .total_seconds())))
    s = _stored()
    if not s.get("reading"):
        return None
    reading = Reading.from_json(s["reading"])
    age = max(0, int((now - reading.observed_at).total_seconds()))
    if age > _cfg("WEATHER_MAX_AGE"):
        return None
    failing = bool(s.get("error")) and (s.get("failed_at") or "") > (s.get("fetched_at") or "")
    return Weather(reading.temperature_c, reading.gusts_kmh, reading.rain_mm_h,
                   source=reading.source, age_s=age,
                   stale=failing or age > _cfg("WEATHER_STALE"))


def refresh(now: datetime | None = None) -> Reading | None:
    """Ask the configured source now and store what it says, or the failure beside the
    last reading (flushed; the caller commits). Never raises for the source's sake."""
    now = now or utcnow()
    try:
        source = provider(current_app.config)
    except ValueError as err:
        log.error("weather: %s", err)
        return None
    if source is None:
        return None
    s = dict(_stored())
    center = settings.get("center")
    try:
        if not center:
            raise WeatherError(NO_CENTER)
        reading = source.read(float(center[0]), float(center[1]))
    except WeatherError as err:
        log.warning("weather source unavailable, dispatch goes by the last known: %s", err)
        s.update(error=str(err)[:300], failed_at=now.isoformat())
        settings.put(KEY, s)
        return None
    s.update(reading=reading.as_json(), fetched_at=now.isoformat(), error=None)
    settings.put(KEY, s)
    return reading


def refresh_if_due(app) -> threading.Thread | None:
    """From the dispatch loop: when ``WEATHER_INTERVAL`` has passed since the last try,
    ask the source in a thread of its own (the loop never waits for it)."""
    if (app.config.get("WEATHER_PROVIDER") or "none") == "none" or not settings.get("center"):
        return None  # nothing to ask, or nowhere to ask it for (the page says so)
    now = time.monotonic()
    if now - app.extensions.get(LAST_TRY, -1e12) < float(app.config["WEATHER_INTERVAL"]):
        return None
    if not _lock.acquire(blocking=False):
        return None  # the last one is still asking
    app.extensions[LAST_TRY] = now

    def run():
        try:
            with app.app_context():
                try:
                    refresh()
                    db.session.commit()
                except Exception:
                    log.exception("weather refresh")
                    db.session.rollback()
                finally:
                    db.session.remove()
        finally:
            _lock.release()

    thread = threading.Thread(target=run, name="weather", daemon=True)
    thread.start()
    return thread


def set_override(actor: User, values: dict, until: datetime, reason: str,
                 now: datetime | None = None) -> dict:
    """The council sets the conditions until ``until`` (at most two days ahead); a value
    left out (None) is unknown. Recorded in the event log."""
    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council sets the weather")
    now = now or utcnow()
    errors = {}
    for k, (lo, hi) in BOUNDS.items():
        v = values.get(k)
        if v is not None and not lo <= v <= hi:
            errors[k] = f"must be between {lo} and {hi}"
    if all(values.get(k) is None for k in VALUES):
        errors["temperature_c"] = "give at least one of temperature_c, gusts_kmh, rain_mm_h"
    if until <= now:
        errors["until"] = "must be in the future"
    elif until > now + MAX_OVERRIDE:
        errors["until"] = "must be within two days"
    if not reason or not reason.strip():
        errors["reason"] = "required"
    if errors:
        first = next(iter(errors.items()))
        raise InvalidInput(f"invalid {first[0]}: {first[1]}", errors)
    o = {**{k: values.get(k) for k in VALUES}, "until": until.isoformat(),
         "set_at": now.isoformat(), "set_by": actor.name, "reason": reason.strip()[:300]}
    settings.put(OVERRIDE, o)
    record(actor, "coop", "weather_override", data={"weather_override": o},
           reason=Phrase(OVERRIDDEN, until=tracking.local(until, day=True), reason=o["reason"]))
    return o


def clear_override(actor: User, reason: str = "") -> None:
    """The council's conditions end now: the source's readings apply again."""
    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council sets the weather")
    settings.put(OVERRIDE, None)
    record(actor, "coop", "weather_override_ended", data={"weather_override": None},
           reason=Phrase(OVERRIDE_ENDED, reason=(reason or "").strip()[:300] or "–"))


def status(now: datetime | None = None) -> dict:
    """What the pages show: the conditions dispatch goes by now and where they come from,
    the last reading with its age, the last failure, the override."""
    now = now or utcnow()
    s, w = _stored(), current(now)
    provider_name = current_app.config.get("WEATHER_PROVIDER") or "none"
    reading, o = s.get("reading"), active_override(now)
    last = None
    if reading:
        observed = _t(reading["observed_at"])
        last = {**reading, "observed_at": observed, "fetched_at": _t(s.get("fetched_at")),
                "age_s": max(0, int((now - observed).total_seconds()))}
    return {
        "provider": provider_name,
        "in_use": None if w is None else {
            **{k: getattr(w, k) for k in VALUES}, "source": w.source, "age_s": w.age_s,
            "stale": w.stale},
        "last_reading": last,
        "too_old": bool(reading) and w is None,
        "error": s.get("error"),
        "no_centre": provider_name != "none" and not settings.get("center"),
        "failed_at": _t(s.get("failed_at")),
        "override": None if o is None else {**o, "until": _t(o["until"]),
                                            "set_at": _t(o["set_at"])},
        "stale_after_s": int(_cfg("WEATHER_STALE")), "max_age_s": int(_cfg("WEATHER_MAX_AGE")),
    }


def _t(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def applying(now: datetime | None = None) -> list[dict]:
    """The weather rules of the version in force whose threshold the conditions pass now:
    ``[{"rule", "enforce", "why", "cargo_bikes_stop"}]`` (what the pages list)."""
    now = now or utcnow()
    w = current(now)
    if w is None:
        return []
    doc, out = versions.in_force(now).rules, {}
    for vehicle in ("bike", "cargo_bike"):
        for p in assess(doc, vehicle, w, [], now).passed:
            row = out.setdefault(p.rule, {"rule": p.rule, "enforce": p.enforce, "why": p.why,
                                          "cargo_bikes_stop": False})
            row["cargo_bikes_stop"] |= p.cargo_stop
    return list(out.values())
