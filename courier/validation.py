"""Validation shared by every way data comes in (API bodies, CSV rows, forms): strict
schemas that refuse unknown fields, coordinate and date ranges, and field errors as
one flat ``{"dropoff.lat": "message"}``."""

from __future__ import annotations

import ipaddress
import socket
from datetime import UTC, datetime

from marshmallow import Schema, validate

Lat = validate.Range(-90, 90, error="must be a latitude between -90 and 90")
Lon = validate.Range(-180, 180, error="must be a longitude between -180 and 180")
Moment = validate.Range(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC),
                        error="must be between 2000 and 2100")


class Strict(Schema):
    class Meta:
        unknown = "raise"


def flatten(messages, prefix="") -> dict:
    """webargs' nested messages as ``{"dropoff.lat": "message"}``."""
    out = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten(value, name))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out[prefix or "_body"] = " ".join(messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix or "_body"] = str(messages)
    return out


def private_host(host: str) -> bool:
    """Whether ``host`` is (or resolves to) a loopback, private or reserved address: an
    address the app never sends webhooks or pushes to (checked again when sending, as a
    name may point elsewhere than when it was registered)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global or ip.is_multicast:
            return True
    return False
