"""Where the weather comes from: a provider reads the conditions at the coop's centre.

- ``open-meteo`` (the default): Open-Meteo's forecast API, its ``current`` block
  (``temperature_2m``, ``wind_gusts_10m``, ``precipitation``), no key needed;
  ``WEATHER_URL`` may point at a coop's own Open-Meteo server;
- ``file``: a JSON file the coop writes itself (a station of its own, a script):
  ``{"temperature_c": 31.5, "gusts_kmh": 40, "rain_mm_h": 0.2, "observed_at":
  "2026-07-01T12:00:00Z"}`` (``observed_at`` optional: the file's time);
- ``none``: no source; the council's override alone.

A provider answers a :class:`Reading` or raises :class:`WeatherError`; it never waits
longer than ``WEATHER_TIMEOUT`` seconds. Storing, ageing and overriding readings is
:mod:`courier.dispatch.conditions`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import requests

PROVIDERS = ("open-meteo", "file", "none")
OPEN_METEO_URL = "https://api.open-meteo.com/v1/forecast"
VALUES = ("temperature_c", "gusts_kmh", "rain_mm_h")


class WeatherError(Exception):
    """The source could not say the conditions (down, slow, an answer not understood)."""


@dataclass(frozen=True)
class Reading:
    temperature_c: float | None
    gusts_kmh: float | None
    rain_mm_h: float | None
    observed_at: datetime
    source: str

    def as_json(self) -> dict:
        return {**asdict(self), "observed_at": self.observed_at.isoformat()}

    @classmethod
    def from_json(cls, d: dict) -> Reading:
        return cls(*(d.get(k) for k in VALUES), datetime.fromisoformat(d["observed_at"]),
                   d.get("source", ""))


def _number(value, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WeatherError(f"{name} is not a number: {value!r}")
    return float(value)


def _time(text, name: str) -> datetime:
    try:
        t = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise WeatherError(f"{name} is not a time: {text!r}") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


class OpenMeteo:
    """Open-Meteo's forecast API. Its ``current`` precipitation is the sum over the
    preceding ``interval`` seconds (15 minutes): turned into mm per hour."""

    name = "open-meteo"

    def __init__(self, url: str = OPEN_METEO_URL, timeout: float = 5.0):
        self.url, self.timeout = url or OPEN_METEO_URL, timeout

    def read(self, lat: float, lon: float) -> Reading:
        params = {"latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}",
                  "current": "temperature_2m,wind_gusts_10m,precipitation",
                  "temperature_unit": "celsius", "wind_speed_unit": "kmh",
                  "precipitation_unit": "mm", "timezone": "GMT"}
        try:
            r = requests.get(self.url, params=params, timeout=self.timeout)
        except requests.RequestException as err:
            raise WeatherError(f"{self.name}: {type(err).__name__}: {err}") from None
        if r.status_code != 200:
            raise WeatherError(f"{self.name}: HTTP {r.status_code}: {r.text[:200]}")
        try:
            cur = r.json()["current"]
            interval = _number(cur.get("interval", 900), "interval") or 900
            rain = _number(cur.get("precipitation"), "precipitation")
            return Reading(_number(cur.get("temperature_2m"), "temperature_2m"),
                           _number(cur.get("wind_gusts_10m"), "wind_gusts_10m"),
                           None if rain is None else round(rain * 3600 / interval, 2),
                           _time(cur["time"], "time"), self.name)
        except (ValueError, KeyError, TypeError) as err:
            raise WeatherError(f"{self.name}: an answer not understood ({err})") from None


class LocalFile:
    """Conditions the coop writes to a JSON file itself."""

    name = "file"

    def __init__(self, path: str):
        self.path = path

    def read(self, lat: float, lon: float) -> Reading:
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
            mtime = datetime.fromtimestamp(os.path.getmtime(self.path), UTC)
        except (OSError, ValueError) as err:
            raise WeatherError(f"{self.name} {self.path}: {err}") from None
        if not isinstance(data, dict):
            raise WeatherError(f"{self.name} {self.path}: not a JSON object")
        when = _time(data["observed_at"], "observed_at") if data.get("observed_at") else mtime
        return Reading(*(_number(data.get(k), k) for k in VALUES), when, self.name)


def provider(cfg) -> OpenMeteo | LocalFile | None:
    """The configured provider (``WEATHER_PROVIDER``), or None for ``none``."""
    name = cfg.get("WEATHER_PROVIDER") or "none"
    if name == "open-meteo":
        return OpenMeteo(cfg.get("WEATHER_URL") or OPEN_METEO_URL,
                         float(cfg.get("WEATHER_TIMEOUT", 5.0)))
    if name == "file":
        if not cfg.get("WEATHER_FILE"):
            raise ValueError("WEATHER_PROVIDER=file needs WEATHER_FILE")
        return LocalFile(cfg["WEATHER_FILE"])
    if name == "none":
        return None
    raise ValueError(f"unknown WEATHER_PROVIDER {name!r}: one of {', '.join(PROVIDERS)}")
