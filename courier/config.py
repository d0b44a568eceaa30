"""Configuration: defaults here, then ``instance/config.py``, then ``COURIER_*``
environment variables, then (in tests) the mapping given to ``create_app``."""

from __future__ import annotations

from pathlib import Path

DEV_SECRET = "dev-only-secret-change-me"
ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "ENV": "development",  # "production" refuses the development secret
    "SECRET_KEY": DEV_SECRET,
    "DATABASE_URL": None,  # default: sqlite file in the instance folder
    "AUTO_MIGRATE": True,  # create or upgrade the schema on first start
    # connections kept open per process (PostgreSQL): at least the requests served at once,
    # or every request beyond the pool opens and closes a connection of its own
    "DB_POOL_SIZE": 24,
    "DB_MAX_OVERFLOW": 8,
    "MAX_CONCURRENT_REQUESTS": 8,  # per process, Socket.IO aside (courier.web.admission)
    "STATIC_FOLDER": str(ROOT / "static"),
    # dispatch
    "DISPATCH_INTERVAL": 30,  # seconds between automatic cycles while jobs are pending
    "DISPATCH_AUTORUN": True,  # run cycles in this process (off for web processes beside a worker)
    "DISPATCH_TIME_LIMIT": 5.0,  # seconds given to the optimiser per cycle
    "OFFER_TTL": 120,  # seconds a courier has to accept an offer
    "REOFFER_COOLDOWN": 600,  # seconds before a declined job may go back to the same courier
    # a run of jobs all sent less than this ago is held back to be ridden with jobs still to
    # come, while it keeps this margin on every window (courier.dispatch.holding); 0: never
    "DISPATCH_HOLD_S": 300,
    "DISPATCH_HOLD_MARGIN_S": 1200,
    # every drop-off is planned this long before its deadline when it can be
    # (courier.dispatch.reserve): room for legs ridden slower than the matrix says
    "DISPATCH_RESERVE_S": 300,
    # a run planned to begin later than this is offered only this long before it begins
    "DISPATCH_AHEAD_S": 900,
    # a cycle with nothing to decide is skipped, for at most this long (courier.dispatch.wake)
    "DISPATCH_RECHECK_S": 300,
    # live ETAs (courier.dispatch.eta): a run's estimates are worked out again on a new
    # position at most this often, and at least this often as time passes
    "ETA_REFRESH_S": 30,
    "DELAY_STEP_S": 600,  # a late job is alerted again when its lateness moves this much
    "DEFAULT_DELIVERY_MINUTES": 60,  # deliver_by defaults to ready_at plus this
    "BIKE_SPEED_KMH": 15.0,
    "CARGO_SPEED_FACTOR": 1.25,  # cargo bikes take this much longer on every leg
    "DETOUR_FACTOR": 1.3,  # street distance over straight-line distance
    "PICKUP_SERVICE_S": 180,
    "DROPOFF_SERVICE_S": 120,
    "COOP_TIMEZONE": "Europe/Paris",  # local days, weeks, nights, Sundays of rules and pay
    "OSRM_URL": None,
    # the weather the safety rules go by (courier.dispatch.weather, docs/safety.md):
    # "open-meteo", "file" (WEATHER_FILE, JSON) or "none" (the council's override alone)
    "WEATHER_PROVIDER": "open-meteo",
    "WEATHER_URL": None,  # default: Open-Meteo's public forecast API
    "WEATHER_FILE": None,
    "WEATHER_INTERVAL": 900,  # seconds between two readings, asked beside the dispatch loop
    "WEATHER_TIMEOUT": 5.0,  # seconds the source has to answer
    "WEATHER_STALE": 3600,  # a reading older than this is said with its age in reasons
    "WEATHER_MAX_AGE": 6 * 3600,  # and one older than this is not used at all
    # climbing (courier.routing.elevation): an ESRI ASCII grid of heights in WGS 84
    # degrees; none: the climbing rule cannot be checked
    "ELEVATION_DEM": None,
    "ELEVATION_SAMPLE_M": 100,  # each straight leg is sampled this often (0: stops only)
    "PRICE_BASE_CENTS": 450,
    "PRICE_PER_KM_CENTS": 90,
    # shops: zones, geocoding, pricing, slots, webhooks (courier/shops/)
    "GEOCODER": None,  # "nominatim", "photon" or "pelias"; none: stops need coordinates
    "GEOCODER_URL": None,  # the provider's base URL, e.g. a coop's own Nominatim
    "GEOCODER_API_KEY": None,  # Pelias only
    "GEOCODER_TIMEOUT": 5.0,  # seconds for one lookup
    "GEOCODER_MIN_DELAY": 1.0,  # seconds between lookups (Nominatim's policy: 1 per second)
    "GEOCODER_COUNTRY_CODES": None,  # e.g. "fr": only places in these countries
    "GEOCODER_USER_AGENT": "courier-coop-dispatch",
    "GEOCODER_AMBIGUITY_M": 250,  # results further apart than this make an address ambiguous
    "MAX_DROPOFFS": 10,  # drop-offs in one multi-drop delivery
    "WEBHOOK_TIMEOUT": 10.0,  # seconds a shop's endpoint has to answer
    "WEBHOOK_MAX_ATTEMPTS": 12,  # then the delivery is marked failed (it can be replayed)
    "WEBHOOK_BACKOFF_S": 30,  # first retry after this; doubles each time, up to 6 hours
    "WEBHOOK_POLL_S": 2.0,  # how often the sender looks for due deliveries
    "WEBHOOK_ALLOW_PRIVATE_URLS": False,  # endpoints on loopback/private networks (tests, labs)
    # Web Push to couriers' devices (courier/journal/push.py, docs/push.md)
    "PUSH_VAPID_KEY_FILE": None,  # default: vapid_private.pem in the instance folder
    "PUSH_SUBJECT": None,  # mailto: or https: contact for push services; default: PUBLIC_URL
    "PUSH_MAX_DEVICES": 5,  # devices one member may have notified
    "PUSH_NOTICE_TTL": 3600,  # seconds a push service keeps news of a run (not offers)
    "PUSH_TIMEOUT": 10.0,  # seconds a push service has to answer
    "PUSH_BACKOFF_S": 2.0,  # first retry after a 5xx or 429; doubles, until the offer lapses
    "PUSH_POLL_S": 1.0,  # how often the sender looks for pushes queued by another process
    "PUSH_ALLOW_LOOPBACK": False,  # http://127.0.0.1 endpoints (the test suite's push service)
    # proofs of delivery (courier.proofs): where their files go, "files" or "s3"
    "PROOF_STORE": "files",
    "PROOF_DIR": None,  # default: proofs/ in the instance folder
    "PROOF_S3_BUCKET": None,  # an S3-compatible bucket; credentials from boto3's usual chain
    "PROOF_S3_PREFIX": "proofs/",
    "PROOF_S3_ENDPOINT_URL": None,  # e.g. a MinIO or Garage server; none: AWS itself
    "PROOF_S3_REGION": None,
    "PROOF_MAX_BYTES": 10 * 1024 * 1024,  # a photo or a signature larger is refused (413)
    "RETENTION_SWEEP_S": 300,  # seconds between two passes of the worker's retention sweep
    # messages to recipients (courier.messages, docs/messages.md): e-mail by SMTP, SMS
    # through a provider ("console": written to the log, or "http")
    "MAIL_SERVER": None,  # without it, e-mails are written to the log
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": None,  # default: no-reply@ the host of PUBLIC_URL
    "MAIL_TIMEOUT": 10,
    "SMS_PROVIDER": "console",
    "SMS_HTTP_URL": None,
    "SMS_HTTP_TOKEN": None,
    "SMS_SENDER": "",
    "SMS_TIMEOUT": 10,
    "MESSAGE_BACKOFF_S": 30,  # first retry after this; doubles each time
    "MESSAGE_MAX_ATTEMPTS": 6,
    "MESSAGE_POLL_S": 5,  # how often the sender looks for messages due
    "MESSAGE_ARRIVING_MINUTES": 10,  # "arriving soon" this long before the drop-off
    # federation between coops (courier.federation, docs/federation.md)
    "FEDERATION_POLL_S": 2.0,  # how often the worker looks for news and asks to send
    "FEDERATION_SCAN_S": 30,  # how often hand-off rules are scanned
    "FEDERATION_TIMEOUT_S": 10,  # seconds a partner coop has to answer
    # pages
    "PUBLIC_URL": None,  # e.g. https://coop.example: makes tracking links absolute everywhere
    "TILE_URL": None,  # map tiles, e.g. https://tiles.example/{z}/{x}/{y}.png; none: plain map
    "TILE_ATTRIBUTION": "",  # required by most tile providers, e.g. "© OpenStreetMap"
    # where the pages' Content-Security-Policy lets map tiles come from (space-separated
    # sources, e.g. "https://*.tiles.example"); none: TILE_URL's own origin (courier.web.csp)
    "CSP_TILE_SOURCES": None,
    "POSITION_INTERVAL": 15,  # seconds between two positions sent by a courier's phone
    "TRACKING_TTL_HOURS": 3,  # a recipient's tracking link stops working this long after the end
    # open data (courier.solidarity.opendata): a van's kg CO2e per km, see docs/solidarity.md
    "VAN_KG_CO2E_PER_KM": 0.25023,
    # live updates
    "SOCKETIO_MESSAGE_QUEUE": None,  # e.g. redis://127.0.0.1:6379/0 for several processes
    "SOCKETIO_CHANNEL": "courier",
    "SOCKETIO_ASYNC_MODE": "threading",
    # security
    "PASSWORD_HASH_METHOD": "scrypt",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_IDLE_DAYS": 30,  # a page's session unused this long has ended (courier.accounts)
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "LOGIN_RATE_LIMIT": "10/minute;50/hour",  # failed logins per client address
    "LOGIN_ACCOUNT_RATE_LIMIT": "5/minute;20/hour",  # failed logins per account tried
    "RATELIMIT_STORAGE_URI": None,  # default: the Redis of SOCKETIO_MESSAGE_QUEUE, or memory
    "TRUSTED_PROXIES": 0,  # reverse proxies in front (nginx: 1) whose X-Forwarded-* to trust
    # request limits (courier.web.security): 413 beyond; a CSV import's own limit is 2 MB
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # bytes of a request body (JSON, a form)
    "MAX_JSON_DEPTH": 32,  # nesting of a JSON body: deeper is refused (400) before parsing
    # characters of a request's target (path and query): longer is 414, JSON on the API;
    # below the 8 KB request line of gunicorn (deploy/gunicorn.conf.py) and nginx, whose own
    # 414 the app never sees (docs/security.md)
    "MAX_URL_LENGTH": 4096,
    # i18n
    "LANGUAGES": ["fr", "en"],
    "BABEL_DEFAULT_LOCALE": "fr",
    # API documentation (flask-smorest)
    "API_TITLE": "Courier coop dispatch API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


class SettingError(RuntimeError):
    """A setting the app cannot run with; the message names it and says what it takes."""


# numbers that may be 0, where it means "never", "at once" or "none"; every other number
# setting must be above 0 (an interval, a timeout, a speed, a limit)
MAY_BE_ZERO = {
    "DB_MAX_OVERFLOW", "REOFFER_COOLDOWN", "DISPATCH_HOLD_S", "DISPATCH_HOLD_MARGIN_S",
    "DISPATCH_RESERVE_S", "DISPATCH_AHEAD_S", "DISPATCH_RECHECK_S", "ETA_REFRESH_S",
    "PICKUP_SERVICE_S", "DROPOFF_SERVICE_S", "ELEVATION_SAMPLE_M", "PRICE_BASE_CENTS",
    "PRICE_PER_KM_CENTS", "GEOCODER_MIN_DELAY", "WEBHOOK_BACKOFF_S", "PUSH_BACKOFF_S",
    "MESSAGE_BACKOFF_S", "FEDERATION_SCAN_S", "TRUSTED_PROXIES", "VAN_KG_CO2E_PER_KM",
}


def check_values(config: dict) -> None:
    """Refuse at start-up a setting of the wrong kind, before it fails in the middle of a
    dispatch cycle: a switch that is not true or false, a number given as text
    (``COURIER_OFFER_TTL=2min``), a count or a duration below 0 (or at 0 where 0 means
    nothing). Numbers and switches are the settings whose default here is one."""
    for name, default in DEFAULTS.items():
        value = config.get(name)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise SettingError(f"COURIER_{name} must be true or false, not {value!r}")
            continue
        if not isinstance(default, int | float):
            continue
        whole = isinstance(default, int)
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
            kind = "a whole number" if whole else "a number"
            raise SettingError(f"COURIER_{name} must be {kind}, not {value!r}")
        least = "0 or more" if name in MAY_BE_ZERO else "above 0"
        if value < 0 or (value == 0 and name not in MAY_BE_ZERO):
            raise SettingError(f"COURIER_{name} must be {least}, not {value!r}")


def database_uri(config: dict, instance_path: str) -> str:
    url = config.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'courier.sqlite'}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def check_production(config: dict) -> None:
    """Refuse to run in production with settings only fit for a laptop."""
    if config.get("ENV") != "production":
        return
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET):
        raise SettingError("COURIER_SECRET_KEY must be set to a random value in production")
    if len(str(config["SECRET_KEY"])) < 32:
        raise SettingError("COURIER_SECRET_KEY is too short (32 characters at least)")
