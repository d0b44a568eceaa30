"""Addresses to coordinates, through the provider the coop configured (Nominatim,
Photon or Pelias, at any URL: a coop can host its own), with geopy.

A lookup is refused rather than guessed: no result, a result that is only a
city or a district, or several places far apart all give 422 with the reason.
The provider's rate limit is kept (geopy's RateLimiter, one per process) and
answers are cached in the database, so an address is asked for once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from flask import Flask, current_app
from geopy import exc as geopy_exc
from geopy.adapters import RequestsAdapter
from geopy.distance import geodesic
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim, Pelias, Photon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courier.errors import DomainError, InvalidInput
from courier.extensions import db
from courier.models import GeocodeResult

PROVIDERS = {"nominatim": Nominatim, "photon": Photon, "pelias": Pelias}
# Results that are an area, not a place a courier can ride to.
AREAS = {"continent", "country", "state", "region", "province", "county", "municipality",
         "city", "town", "village", "hamlet", "suburb", "city_district", "district",
         "borough", "quarter", "neighbourhood", "postcode", "island", "administrative",
         "locality", "localadmin", "macroregion", "macrocounty", "macrohood", "postalcode",
         "dependency", "ocean", "marinearea", "empire"}


class GeocoderUnavailable(DomainError):
    """The provider did not answer usefully: try again later, or give coordinates."""

    status = 503


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    label: str


def configured() -> bool:
    return bool(current_app.config.get("GEOCODER"))


def _provider_key(cfg) -> str:
    """Cached answers are per provider, server and country filter."""
    parts = (cfg["GEOCODER"], cfg.get("GEOCODER_URL") or "",
             cfg.get("GEOCODER_COUNTRY_CODES") or "")
    return ":".join(map(str, parts))[:120]


def _client(app: Flask):
    """The app's geocoder and its rate limiter, made once per process."""
    cached = app.extensions.get("courier.geocoder")
    key = _provider_key(app.config)
    if cached and cached[0] == key:
        return cached[1], cached[2]
    cfg = app.config
    name = str(cfg["GEOCODER"]).lower()
    if name not in PROVIDERS:
        raise GeocoderUnavailable(f"unknown geocoder {name!r}: set COURIER_GEOCODER to one of "
                                  f"{', '.join(PROVIDERS)}")
    kwargs = {"timeout": float(cfg["GEOCODER_TIMEOUT"]), "user_agent": cfg["GEOCODER_USER_AGENT"],
              # no silent retries: a request waits at most the timeout, once
              "adapter_factory": partial(RequestsAdapter, max_retries=0)}
    if cfg.get("GEOCODER_URL"):
        url = urlsplit(cfg["GEOCODER_URL"])
        kwargs.update(scheme=url.scheme or "https", domain=(url.netloc + url.path).rstrip("/"))
    elif name == "pelias":
        raise GeocoderUnavailable("Pelias needs COURIER_GEOCODER_URL")
    if name == "pelias":
        kwargs["api_key"] = cfg.get("GEOCODER_API_KEY")
    geocoder = PROVIDERS[name](**kwargs)
    limited = RateLimiter(geocoder.geocode, min_delay_seconds=float(cfg["GEOCODER_MIN_DELAY"]),
                          max_retries=0, swallow_exceptions=False)
    close(app)
    app.extensions["courier.geocoder"] = (key, geocoder, limited)
    return geocoder, limited


def close(app: Flask) -> None:
    """Close the geocoder's connections (its keep-alive pool)."""
    cached = app.extensions.pop("courier.geocoder", None)
    if cached:
        cached[1].__exit__(None, None, None)


def normalise(address: str) -> str:
    return " ".join(address.lower().split())[:255]


def _kind(raw: dict) -> str:
    """What a result is (house, street, city...), whatever the provider."""
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else raw
    for key in ("addresstype", "layer", "type"):
        if props.get(key):
            kind = str(props[key])
            if key == "type" and props.get("class") == "boundary":
                return "administrative"
            return kind
    return ""


def _ask(query: str, field: str) -> list:
    cfg = current_app.config
    geocoder, limited = _client(current_app._get_current_object())
    kwargs: dict = {"exactly_one": False}
    countries = cfg.get("GEOCODER_COUNTRY_CODES")
    if isinstance(geocoder, Nominatim):
        kwargs["limit"] = 5
        if countries:
            kwargs["country_codes"] = countries
    elif isinstance(geocoder, Photon):
        kwargs["limit"] = 5
    elif countries:
        kwargs["countries"] = [c.strip() for c in str(countries).split(",")]
    try:
        return limited(query, **kwargs) or []
    except geopy_exc.GeopyError as err:
        if isinstance(err, geopy_exc.GeocoderTimedOut) or "timed out" in str(err):
            raise GeocoderUnavailable(f"the geocoder did not answer in time for {field}: try "
                                      f"again, or give lat and lon",
                                      {field: "geocoder timed out"}) from None
        raise GeocoderUnavailable(f"the geocoder failed for {field} ({type(err).__name__}: "
                                  f"{err}): try again, or give lat and lon",
                                  {field: "geocoder unavailable"}) from None


def geocode(address: str, field: str) -> Place:
    """The one place ``address`` names, or InvalidInput (422) saying why not.

    ``field`` names the stop in messages (e.g. ``dropoff.address``).
    """
    cfg = current_app.config
    if not configured():
        base = field.rsplit(".", 1)[0]
        raise InvalidInput(f"{base}: give lat and lon (no geocoder is configured to find "
                           f"addresses)", {f"{base}.lat": "required: no geocoder is configured",
                                           f"{base}.lon": "required: no geocoder is configured"})
    query = normalise(address)
    if not query:
        raise InvalidInput(f"{field}: an address or coordinates are required",
                           {field: "required"})
    provider = _provider_key(cfg)
    hit = db.session.scalars(select(GeocodeResult).where(
        GeocodeResult.provider == provider, GeocodeResult.query == query)).first()
    if hit is not None:
        return Place(hit.lat, hit.lon, hit.label)
    results = _ask(address, field)
    if not results:
        raise InvalidInput(f"no place found for {address!r} ({field}): check the address, or "
                           f"give lat and lon", {field: "no place found"})
    precise = [r for r in results if _kind(r.raw) not in AREAS]
    if not precise:
        raise InvalidInput(f"{address!r} ({field}) is too vague: it names a {_kind(results[0].raw)}"
                           f", not a street address; give the number and street, or lat and lon",
                           {field: "too vague"})
    first = precise[0]
    far = [r for r in precise[1:] if geodesic((first.latitude, first.longitude),
                                              (r.latitude, r.longitude)).m
           > cfg["GEOCODER_AMBIGUITY_M"]]
    if far:
        names = "; ".join(r.address for r in [first, *far][:4])
        raise InvalidInput(f"{address!r} ({field}) is ambiguous, it matches {len(far) + 1} "
                           f"places: {names}. Add the postcode and city, or give lat and lon",
                           {field: "ambiguous"})
    place = Place(first.latitude, first.longitude, (first.address or address)[:255])
    try:
        with db.session.begin_nested():
            db.session.add(GeocodeResult(provider=provider, query=query, lat=place.lat,
                                         lon=place.lon, label=place.label))
    except IntegrityError:
        pass  # another request cached it meanwhile
    return place
