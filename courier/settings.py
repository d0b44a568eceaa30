"""The coop's own settings, kept in the database (``coop_settings``): its name and
city, the centre of its territory, whether it publishes open data, when it was
initialised, where parcels that could not be delivered go back (``return_hub``:
``{"address", "lat", "lon"}``, or None for each job's own pickup place). Instance
settings (secret key, tiles, OSRM...) stay in the config."""

from __future__ import annotations

from sqlalchemy import select

from courier.extensions import db
from courier.models import CoopSetting

DEFAULTS = {"name": "", "city": "", "center": None, "open_data": False,
            "initialised_at": None, "return_hub": None,
            "delay_margin_min": 5,  # minutes a job may be expected late before an alert
            # messages to recipients: at most this many to one address in an hour
            "messages_per_hour": 4,
            # shops' recurring jobs: made this many days ahead, at most this many a day
            "schedule_horizon_days": 2, "schedule_daily_cap": 12}


def get(key: str):
    row = db.session.get(CoopSetting, key)
    return DEFAULTS.get(key) if row is None else row.value


def put(key: str, value) -> None:
    """Set ``key`` (flushed, not committed)."""
    row = db.session.get(CoopSetting, key)
    if row is None:
        db.session.add(CoopSetting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()


def chosen(key: str) -> bool:
    """Whether the coop set ``key`` at all (even to its default)."""
    return db.session.get(CoopSetting, key) is not None


def all_settings() -> dict:
    rows = {r.key: r.value for r in db.session.scalars(select(CoopSetting))}
    return {**DEFAULTS, **rows}
