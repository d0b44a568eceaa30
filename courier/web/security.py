"""Protections around the whole app: login rate limiting, the client address behind a
proxy, text no database can store, and the security headers of every answer.

Login attempts are limited per client address and per account; only failed attempts
count. The counters live in Redis when configured (shared by every web process), in
memory otherwise (per process: the embedded single-process setup).
"""

from __future__ import annotations

import logging
import re

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import DataError, StatementError
from werkzeug.middleware.proxy_fix import ProxyFix

from courier.web import csp
from courier.web.answers import error_page, error_response

log = logging.getLogger(__name__)
limiter = Limiter(key_func=get_remote_address)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def storage_uri(config) -> str:
    """Where rate-limit counters live: the explicit setting, else the Redis of the
    Socket.IO queue, else this process's memory."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return config["RATELIMIT_STORAGE_URI"]
    queue = config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    return queue if queue.startswith(("redis://", "rediss://")) else "memory://"


def init_app(app: Flask) -> None:
    cfg = app.config
    cfg["RATELIMIT_STORAGE_URI"] = storage_uri(cfg)
    cfg.setdefault("RATELIMIT_KEY_PREFIX", f"{cfg['SOCKETIO_CHANNEL']}-limits")
    cfg.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    proxies = int(cfg.get("TRUSTED_PROXIES") or 0)
    if proxies:  # behind nginx: the client's address and scheme come from its headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.before_request(_refuse_long_url)
    app.before_request(_refuse_deep_json)
    app.before_request(_refuse_unusable_input)
    app.after_request(_security_headers)
    csp.init_app(app)
    app.register_error_handler(429, _too_many)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(DataError, _database_refused)
    app.register_error_handler(StatementError, _database_refused)
    app.register_error_handler(OverflowError, _database_refused)


def _database_refused(err):
    """The database (or Python's own arithmetic) refused a value, a number out of its
    range, a date beyond its calendar..., that validation let through: the request's
    fault, answered as such (nothing was written: the transaction is rolled back)."""
    if isinstance(err, StatementError) and not isinstance(
            err, DataError) and not isinstance(err.orig, OverflowError):
        raise err  # a real server error
    log.warning("refused a value out of range in %s %s: %s", request.method, request.path,
                getattr(err, "orig", err))
    from courier.extensions import db

    db.session.rollback()
    return _answer(422, "a value is out of range or cannot be stored", {})


MAX_ID = 2**31 - 1  # ids are 32-bit integers in every table
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: no database takes them


def unstorable_field(value, name: str = "") -> str | None:
    """The name of the first string in ``value`` that no database can store, if any."""
    if isinstance(value, str):
        return name or "_body" if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((f"[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for key, item in items:
        if UNSTORABLE.search(str(key)):
            return name or "_body"
        found = unstorable_field(item, f"{name}.{key}" if name and not str(key).startswith("[")
                                 else f"{name}{key}")
        if found:
            return found
    return None


def _refuse_unusable_input():
    """Answer 404 for an id in the path beyond any 32-bit id, and refuse, field by field,
    text with a NUL byte or a lone surrogate (anywhere in the query, the form or the JSON
    body), instead of failing on them in the database."""
    if any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in (request.view_args or {}).values()):
        return _answer(404, "no such object (the id is out of range)", {})
    field = unstorable_field(request.args.to_dict(flat=False))
    if field is None and request.mimetype in FORM_TYPES:  # (parsing no form costs too)
        field = unstorable_field(request.form.to_dict(flat=False))
    if field is None and request.is_json and _escapes_or_nul(request.get_data(cache=True)):
        field = unstorable_field(request.get_json(silent=True))
    if field is None:
        return None
    field = re.sub(r"\[0\]$", "", field)
    message = f"invalid {field}: text may not contain NUL or unpaired surrogate characters"
    return _answer(422, message, {field: "contains a character that is not allowed"})


JSON_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')  # strings (skipped), brackets


def json_depth_over(body: bytes, limit: int) -> bool:
    """Whether a JSON text nests arrays and objects more than ``limit`` deep, found by
    counting brackets outside strings (no parsing: parsing is what would recurse)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # (every usual body: too few brackets to be deep)
    depth = 0
    for token in JSON_TOKENS.finditer(body):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in (b"]", b"}"):
            depth -= 1
    return False


def _refuse_deep_json():
    """Refuse a JSON body nested deeper than ``MAX_JSON_DEPTH`` (400) before anything
    parses it: Python's parser, and every validation walking the result, recurse, and
    2,000 levels ended in a RecursionError (500)."""
    if not request.is_json:
        return None
    limit = int(current_app.config["MAX_JSON_DEPTH"])
    if not json_depth_over(request.get_data(cache=True), limit):
        return None
    return _answer(400, f"the JSON body is nested more than {limit} levels deep",
                   {"_body": f"nested more than {limit} levels"})


def _refuse_long_url():
    """Refuse a request whose target (path and query) is over ``MAX_URL_LENGTH``: 414, in
    JSON on the API, the app's page elsewhere (the server in front answers longer ones
    itself, below its own limit of about 8 KB)."""
    limit = int(current_app.config["MAX_URL_LENGTH"])
    env = request.environ
    target = env.get("RAW_URI") or env.get("REQUEST_URI")
    length = len(target) if target is not None else (
        len(env.get("PATH_INFO", "")) + 1 + len(env.get("QUERY_STRING", "")))
    if length <= limit:
        return None
    return _answer(414, f"the address is over {limit} characters",
                   {"_url": f"over {limit} characters"})


def _too_large(err):
    """A body over the limit of its kind of request (413), said in the API's JSON."""
    limit = request.max_content_length
    if request.path.startswith("/api/"):
        return error_response(413, f"the request body is over {limit} bytes",
                              {"_body": f"over {limit} bytes"})
    return error_page(413)


def _escapes_or_nul(body: bytes) -> bool:
    """Whether a JSON body could hold NUL or a lone surrogate: in valid JSON both can only
    be written as ``\\u`` escapes (a raw NUL is not valid JSON, nor a surrogate in UTF-8)."""
    return b"\\u" in body or b"\x00" in body


def _answer(status: int, message: str, fields: dict):
    if request.path.startswith("/api/"):
        return error_response(status, message, fields)
    return error_page(400 if status == 422 else status, message)


def _security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _too_many(err):
    from courier.web.api import error_response
    message = "too many attempts: wait a minute and try again"
    if request.path.startswith("/api/"):
        return error_response(429, message)
    return error_page(429)  # its standard sentence says the same, translated


def login_failed(response) -> bool:
    """Only failed logins count against the limits."""
    return response.status_code == 401


def login_account() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def limit_login(view):
    """The limits of the login form: per client address, and per account tried."""
    ip_limit = limiter.limit(lambda: _cfg("LOGIN_RATE_LIMIT"), methods=["POST"],
                             deduct_when=login_failed, scope="login-ip")
    account_limit = limiter.limit(lambda: _cfg("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"],
                                  deduct_when=login_failed, key_func=login_account,
                                  scope="login-account")
    limited = ip_limit(account_limit(view))
    limited.rate_limited = True
    return limited


@limiter.request_filter
def _not_limited() -> bool:
    """Only views wrapped by a limit here have one: every other request (the API's above
    all) skips the limiter's resolution of limits."""
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "rate_limited", False)


def _cfg(name: str) -> str:
    return current_app.config[name]
