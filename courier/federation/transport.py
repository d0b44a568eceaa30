"""HTTP to partner coops: every request we send goes through :func:`http` (a
``requests.Session``; tests put their own in ``app.extensions``), signed with our key for
that partner, with a timeout. A partner that does not answer in time, or cannot be
reached, raises :class:`Unreachable`: the caller decides what stays ours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import requests
from flask import current_app

from courier.federation import signing
from courier.models import Partner, utcnow

EXTENSION = "courier.federation.http"
WELL_KNOWN = "/.well-known/courier-coop"


class Unreachable(Exception):
    """The partner did not answer (``timeout`` True: not in time)."""

    def __init__(self, message: str, timeout: bool = False):
        super().__init__(message)
        self.message, self.timeout = message, timeout


@dataclass
class Answer:
    status: int
    data: dict

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str:
        """The reason a refusal names (``reason``), else its error message."""
        return str(self.data.get("reason") or self.data.get("error") or f"HTTP {self.status}")


def http() -> requests.Session:
    session = current_app.extensions.get(EXTENSION)
    return session if session is not None else requests.Session()


def _answer(resp) -> Answer:
    try:
        data = resp.json()
    except ValueError:
        data = {"error": (resp.text or "")[:200]}
    return Answer(resp.status_code, data if isinstance(data, dict) else {"data": data})


def encode(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def post(partner: Partner, path: str, body: dict | str, *, timeout: float = 10.0,
         msg_id: str | None = None, now: datetime | None = None) -> Answer:
    """POST ``body`` (a dict, or the exact JSON text) to the partner, signed."""
    text = body if isinstance(body, str) else encode(body)
    msg_id = msg_id or signing.new_message_id()
    heads = signing.headers(partner.our_key_id, partner.our_secret, msg_id, text,
                            now or utcnow())
    return _send("post", partner.base_url + path, timeout, data=text.encode(), headers=heads)


def call(partner: Partner, method: str, path: str, body: dict | None = None, *,
         timeout: float = 10.0) -> Answer:
    """A signed request of any method (a GET is signed over the empty body)."""
    text = "" if body is None else encode(body)
    msg_id = signing.new_message_id()
    heads = signing.headers(partner.our_key_id, partner.our_secret, msg_id, text, utcnow())
    kw = {"data": text.encode()} if body is not None else {}
    return _send(method.lower(), partner.base_url + path, timeout, headers=heads, **kw)


def post_unsigned(url: str, body: dict, timeout: float = 10.0) -> Answer:
    """The one request not signed: answering an invitation (its code authenticates it)."""
    return _send("post", url, timeout, data=encode(body).encode(),
                 headers={"content-type": "application/json"})


def get_profile(base_url: str, timeout: float = 10.0) -> Answer:
    return _send("get", base_url + WELL_KNOWN, timeout, headers={"accept": "application/json"})


def _send(method: str, url: str, timeout: float, **kw) -> Answer:
    try:
        with getattr(http(), method)(url, timeout=timeout, allow_redirects=False, **kw) as r:
            return _answer(r)
    except requests.Timeout:
        raise Unreachable(f"no answer from {url} within {timeout:g} s", timeout=True) from None
    except requests.RequestException as err:
        raise Unreachable(f"{url} could not be reached: {type(err).__name__}") from None
