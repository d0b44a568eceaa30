"""The coop's VAPID key pair (RFC 8292): the private key signs every push the server
sends, the public key is what browsers subscribe with. It lives in the instance folder
(``vapid_private.pem``, readable by its owner only), written by ``courier init`` and by
the demo, never in the repository."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from flask import current_app
from py_vapid import Vapid

FILE = "vapid_private.pem"


def key_path(app=None) -> Path:
    app = app or current_app
    return Path(app.config.get("PUSH_VAPID_KEY_FILE") or Path(app.instance_path) / FILE)


def ensure_keys(app=None) -> tuple[Path, bool]:
    """Write a new key pair unless one exists: ``(path, written)``."""
    path = key_path(app)
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    vapid = Vapid()
    vapid.generate_keys()
    pem = vapid.private_pem()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it meanwhile
        return path, False
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return path, True


def load(app=None) -> Vapid | None:
    """The key pair, or None when this instance has none (push is then off)."""
    path = key_path(app)
    if not path.is_file():
        return None
    return Vapid.from_pem(path.read_bytes())


def public_key(vapid: Vapid) -> str:
    """The public key as browsers take it (``applicationServerKey``): the uncompressed
    P-256 point, base64url without padding."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subject(app=None) -> str:
    """Who push services may contact about this server's pushes (the JWT's ``sub``):
    ``PUSH_SUBJECT`` (``mailto:`` or ``https:``), else the public address of the site."""
    cfg = (app or current_app).config
    if cfg.get("PUSH_SUBJECT"):
        return cfg["PUSH_SUBJECT"]
    public = cfg.get("PUBLIC_URL") or ""
    if urlsplit(public).scheme == "https":
        return public.rstrip("/")
    return "mailto:webpush@localhost"
