"""Which proof a job needs, and whether what the courier gave is enough.

Each shop chooses (:class:`courier.models.ProofPolicy`): no proof, a photo, the
recipient's signature, or the recipient's code; and whether a failed delivery needs a
photo (of the door, of the damaged parcel). The code of a job is derived from the job's
own secret (its tracking token) and the instance's secret key: nothing more to store,
unguessable without both, and gone with the tracking token once the job is redacted.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app

from courier.errors import InvalidInput
from courier.extensions import db
from courier.models import Job, Merchant, ProofPolicy, ProofRule, User

DELIVERED, FAILED = "delivered", "failed"


@dataclass(frozen=True)
class Given:
    """What a courier gives with a stop's action: the files as uploaded (bytes) and the
    code as typed."""

    photo: bytes | None = None
    signature: bytes | None = None
    code: str | None = None

    @property
    def empty(self) -> bool:
        return self.photo is None and self.signature is None and not self.code


NOTHING = Given()


def of(merchant: Merchant | None) -> ProofPolicy:
    """The shop's policy (a shop that chose nothing asks for no proof)."""
    row = db.session.get(ProofPolicy, merchant.id) if merchant is not None else None
    return row or ProofPolicy(required=ProofRule.NONE, on_failure=False)


def choose(user: User, required: str, on_failure: bool) -> ProofPolicy:
    """The shop of ``user`` sets the proof its jobs need (flushed, not committed)."""
    merchant = user.merchant
    row = db.session.get(ProofPolicy, merchant.id)
    if row is None:
        row = ProofPolicy(merchant_id=merchant.id)
        db.session.add(row)
    row.required, row.on_failure = ProofRule(required), on_failure
    db.session.flush()
    return row


def code_of(job: Job) -> str | None:
    """The code the recipient gives the courier: the shop's own, given with the job, else
    six digits derived from the job (None once the job is redacted)."""
    if not job.tracking_token:
        return None
    if job.recipient_code:
        return job.recipient_code
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"proof-code:{job.id}:{job.tracking_token}".encode(),
                      hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"


def needs(job: Job, outcome: str) -> ProofRule:
    """The proof ``job`` needs for ``outcome`` ("delivered" or "failed")."""
    policy = of(job.merchant)
    if outcome == DELIVERED:
        return ProofRule(policy.required)
    return ProofRule.PHOTO if policy.on_failure else ProofRule.NONE


def check(job: Job, outcome: str, given: Given) -> None:
    """Refuse (422, naming the field) an action without the proof the job needs, or with
    a wrong code. Files are checked by :mod:`courier.proofs.files` when they are kept."""
    rule = needs(job, outcome)
    if rule == ProofRule.PHOTO and given.photo is None:
        raise InvalidInput("this delivery needs a photo", {"photo": "required"})
    if rule == ProofRule.SIGNATURE and given.signature is None:
        raise InvalidInput("this delivery needs the recipient's signature",
                           {"signature": "required"})
    if rule == ProofRule.CODE:
        typed = (given.code or "").strip()
        if not typed:
            raise InvalidInput("this delivery needs the recipient's code", {"code": "required"})
        expected = code_of(job)
        if expected is None or not hmac.compare_digest(typed.encode(), expected.encode()):
            raise InvalidInput("this is not the recipient's code", {"code": "does not match"})


def recipients_code(job: Job) -> str | None:
    """The code the recipient is told in advance, when ``job``'s shop asks for one."""
    return code_of(job) if needs(job, DELIVERED) == ProofRule.CODE else None


def init_app(app) -> None:
    """The recipient's "on the way" message carries their code (see the module)."""
    from courier.messages.compose import DELIVERY_CODE

    app.extensions[DELIVERY_CODE] = recipients_code
