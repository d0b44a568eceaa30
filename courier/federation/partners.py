"""Partnerships: the council invites another coop (a one-time code), that coop's council
enters our address and the code on its side, the two instances exchange keys, each
council approves; then either may pause, resume (the side that paused) or end it.
Hand-offs already made finish normally whatever happens to the partnership.

Operations take the acting council member and change the session; the caller commits.
:func:`connect` calls the other coop while it works (its answer decides what is kept)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from courier.accounts import create_user
from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.federation import log, outbox, profile, signing, transport
from courier.federation.inbound import Refused
from courier.models import Partner, PartnerInvitation, PartnerStatus, Role, User, utcnow

INVITATION_MINUTES = 30
KEY_OVERLAP = timedelta(hours=24)  # a rotated-out key of a partner is accepted this long


def _council(actor: User) -> None:
    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council manages partnerships")


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def base_url(url: str, field: str = "url") -> str:
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise InvalidInput(f"{field} must be the coop's address, like https://coop.example",
                           {field: "an http(s) address"})
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def invite(actor: User, now: datetime | None = None) -> tuple[PartnerInvitation, str]:
    """A new one-time code for another coop (shown once; only its hash is kept)."""
    _council(actor)
    now = now or utcnow()
    code = "coop-" + secrets.token_urlsafe(15)
    inv = PartnerInvitation(code_hash=_hash(code), created_by_id=actor.id, created_at=now,
                            expires_at=now + timedelta(minutes=INVITATION_MINUTES))
    db.session.add(inv)
    db.session.flush()
    log.note(actor, "invited", None, data={"invitation": inv.id})
    return inv, code


def connect(actor: User, url: str, code: str) -> Partner:
    """Our council entered another coop's address and code: read its profile, send it our
    key, keep its key. Entering the code is our council's approval."""
    _council(actor)
    url = base_url(url)
    if not code or not code.strip():
        raise InvalidInput("the invitation code is required", {"code": "required"})
    existing = db.session.scalars(select(Partner).where(Partner.base_url == url)).first()
    if existing is not None and existing.status != PartnerStatus.ENDED:
        raise Conflict(f"already partners with {url}", {"url": "already a partner"})
    try:
        found = transport.get_profile(url, timeout=5.0)
        if not found.ok or found.data.get("protocol") != profile.PROTOCOL:
            raise InvalidInput(f"{url} does not publish a coop profile (HTTP {found.status})",
                               {"url": "no coop profile there"})
        key_id, secret = signing.new_key_id(), signing.new_secret()
        answer = transport.post_unsigned(url + "/federation/v1/connect", {
            "code": code.strip(), "url": profile.our_url(), "key_id": key_id,
            "secret": secret, "profile": profile.ours()})
    except transport.Unreachable as err:
        raise Conflict(f"the other coop did not answer: {err.message}",
                       {"url": "unreachable"}) from None
    if not answer.ok:
        raise Conflict(f"the other coop refused: {answer.data.get('error') or answer.code}",
                       {"code": answer.code})
    partner = existing or Partner(base_url=url)
    partner.status, partner.invited_by, partner.status_by = PartnerStatus.INVITED, "them", None
    partner.our_key_id, partner.our_secret = key_id, secret
    partner.their_key_id = str(answer.data.get("key_id") or "")[:40]
    partner.their_secret = str(answer.data.get("secret") or "")[:100]
    partner.we_approved_at, partner.they_approved_at = utcnow(), None
    partner.created_by_id = actor.id
    profile.store(partner, found.data)
    db.session.add(partner)
    db.session.flush()
    log.note(actor, "connected", partner, data={"url": url})
    return partner


def accept_connect(data: dict, now: datetime | None = None) -> dict:
    """Another coop answers our invitation (unsigned: the code is the proof). Raises
    Refused; answers our key."""
    now = now or utcnow()
    code, key_id, secret = data.get("code"), data.get("key_id"), data.get("secret")
    if not all(isinstance(v, str) and v for v in (code, key_id, secret)):
        raise Refused(422, "invalid_body", "code, key_id and secret are required",
                      {n: "required" for n in ("code", "key_id", "secret")
                       if not isinstance(data.get(n), str) or not data.get(n)})
    inv = db.session.scalars(select(PartnerInvitation).where(
        PartnerInvitation.code_hash == _hash(code))).first()
    if inv is None or inv.used_at is not None or inv.expires_at <= now:
        log.note(None, "refused", None, "an invitation code unknown, used or expired",
                 {"reason": "invalid_code"})
        raise Refused(403, "invalid_code", "this invitation code is unknown, used or expired",
                      {"code": "unknown, used or expired"})
    try:
        url = base_url(str(data.get("url") or ""))
    except InvalidInput as err:
        raise Refused(422, "invalid_body", err.message, err.fields) from None
    partner = db.session.scalars(select(Partner).where(Partner.base_url == url)).first()
    if partner is not None and partner.status != PartnerStatus.ENDED:
        raise Refused(409, "already_partners", f"already partners with {url}")
    partner = partner or Partner(base_url=url)
    partner.status, partner.invited_by, partner.status_by = PartnerStatus.INVITED, "us", None
    partner.our_key_id, partner.our_secret = signing.new_key_id(), signing.new_secret()
    partner.their_key_id, partner.their_secret = key_id[:40], secret[:100]
    partner.we_approved_at, partner.they_approved_at = None, now
    partner.created_by_id = inv.created_by_id
    profile.store(partner, data.get("profile") if isinstance(data.get("profile"), dict)
                  else {"name": url})
    db.session.add(partner)
    db.session.flush()
    inv.used_at, inv.partner_id = now, partner.id
    log.note(None, "connected", partner, data={"url": url, "invitation": inv.id})
    return {"key_id": partner.our_key_id, "secret": partner.our_secret,
            "name": profile.ours()["name"]}


def _settle(partner: Partner) -> None:
    if (partner.status == PartnerStatus.INVITED and partner.we_approved_at
            and partner.they_approved_at):
        partner.status = PartnerStatus.ACTIVE


def approve(actor: User, partner: Partner) -> Partner:
    _council(actor)
    if partner.status != PartnerStatus.INVITED or partner.we_approved_at is not None:
        raise Conflict(f"nothing to approve: the partnership is {partner.status.value}")
    partner.we_approved_at = utcnow()
    _settle(partner)
    outbox.queue(partner, "partner.approved", {})
    log.note(actor, "approved", partner)
    return partner


NEXT = {"pause": (PartnerStatus.ACTIVE,), "resume": (PartnerStatus.PAUSED,),
        "end": (PartnerStatus.INVITED, PartnerStatus.ACTIVE, PartnerStatus.PAUSED)}
TO = {"pause": PartnerStatus.PAUSED, "resume": PartnerStatus.ACTIVE, "end": PartnerStatus.ENDED}


def change(actor: User, partner: Partner, what: str, reason: str = "") -> Partner:
    """Pause, resume or end a partnership (hand-offs in flight finish normally)."""
    _council(actor)
    if what not in NEXT:
        raise InvalidInput("pause, resume or end", {"action": "pause, resume or end"})
    if partner.status not in NEXT[what]:
        raise Conflict(f"cannot {what}: the partnership is {partner.status.value}")
    if what == "resume" and partner.status_by == "them":
        raise Conflict("the partner coop paused it: only it can resume")
    partner.status = TO[what]
    partner.status_by = "us"
    outbox.queue(partner, "partner.status", {"status": partner.status.value,
                                             "reason": reason[:500]})
    log.note(actor, {"pause": "paused", "resume": "resumed", "end": "ended"}[what], partner,
             reason)
    return partner


def set_limit(actor: User, partner: Partner, cents) -> Partner:
    _council(actor)
    if isinstance(cents, bool) or not isinstance(cents, int) or not 0 <= cents <= 10**9:
        raise InvalidInput("credit_limit_cents must be a whole number of cents, 0 or more",
                           {"credit_limit_cents": "0 or more"})
    partner.credit_limit_cents = cents
    log.note(actor, "credit_limit", partner, data={"credit_limit_cents": cents})
    return partner


def rotate_key(actor: User, partner: Partner) -> Partner:
    """A new signing key for this partner: sent to it (signed with the old one) now; we
    sign with the new one once it took it."""
    _council(actor)
    if partner.status == PartnerStatus.ENDED:
        raise Conflict("the partnership has ended")
    key_id, secret = signing.new_key_id(), signing.new_secret()
    try:
        answer = transport.post(partner, outbox.PATH, {"kind": "partner.key", "key_id": key_id,
                                                       "secret": secret})
    except transport.Unreachable as err:
        raise Conflict(f"the partner coop did not answer: {err.message}; try again later"
                       ) from None
    if not answer.ok:
        raise Conflict(f"the partner coop refused the new key: {answer.code}")
    partner.our_key_id, partner.our_secret = key_id, secret
    log.note(actor, "key_rotated", partner, data={"key_id": key_id})
    return partner


def take_message(partner: Partner, data: dict, key_id: str | None = None) -> dict:
    """A partnership message from the partner (approved, status, key); raises Refused."""
    kind = data.get("kind")
    if kind == "partner.approved":
        if partner.they_approved_at is None:
            partner.they_approved_at = utcnow()
            _settle(partner)
            log.note(None, "approved_by_partner", partner)
    elif kind == "partner.status":
        status = data.get("status")
        if status not in ("active", "paused", "ended"):
            raise Refused(422, "invalid_body", "status must be active, paused or ended",
                          {"status": "active, paused or ended"})
        if partner.status != PartnerStatus.ENDED and partner.status.value != status:
            partner.status, partner.status_by = PartnerStatus(status), "them"
            log.note(None, f"{status}_by_partner", partner, str(data.get("reason") or ""))
    elif kind == "partner.key":
        new_id, secret = data.get("key_id"), data.get("secret")
        if not (isinstance(new_id, str) and new_id and isinstance(secret, str) and secret):
            raise Refused(422, "invalid_body", "key_id and secret are required")
        if new_id != partner.their_key_id:
            partner.their_prev_key_id = key_id or partner.their_key_id
            partner.their_prev_secret = (partner.their_secret if key_id in (
                None, partner.their_key_id) else partner.their_prev_secret)
            partner.their_prev_until = utcnow() + KEY_OVERLAP
            partner.their_key_id, partner.their_secret = new_id[:40], secret[:100]
            log.note(None, "key_rotated_by_partner", partner, data={"key_id": new_id})
    else:
        return {}
    return {"ok": True}


def merchant_for(partner: Partner):
    """The shop account under which the partner's jobs are made here (made once)."""
    if partner.merchant is None:
        user = create_user("merchant", f"{partner.name or partner.base_url}"[:120], kind="coop")
        user.active = True
        partner.merchant = user.merchant
        db.session.flush()
    return partner.merchant
