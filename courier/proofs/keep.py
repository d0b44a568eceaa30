"""The proofs of a job, kept with the action they prove, or not at all.

Files go to the store while the action's transaction is open: a file that cannot be
stored raises :class:`~courier.proofs.store.NotStored` and the action is not marked; a
transaction that is rolled back after its files were stored deletes them. So a job is
never marked delivered with a proof that failed to store, and no file outlives the
action it proves."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from courier.extensions import db
from courier.models import Courier, Job, Proof, ProofKind, utcnow
from courier.proofs import files
from courier.proofs.policy import Given
from courier.proofs.store import NotStored, store

log = logging.getLogger(__name__)
_PENDING = "courier.proof_files"  # session.info: (store, key) written in this transaction
EXT = {"image/jpeg": "jpg", "image/png": "png"}


def prepare(given: Given) -> list[tuple[ProofKind, bytes | None, str | None]]:
    """The proofs to keep, checked: (kind, content, content type). Raises 413, 415 or
    422 naming the field before anything is marked."""
    out = []
    if given.photo is not None:
        out.append((ProofKind.PHOTO, files.photo(given.photo), "image/jpeg"))
    if given.signature is not None:
        out.append((ProofKind.SIGNATURE, files.signature(given.signature), "image/png"))
    if given.code:
        out.append((ProofKind.CODE, None, None))
    return out


def put(job: Job, outcome: str, prepared: list) -> list[tuple]:
    """Store the files of the prepared proofs of ``job``, before its state changes: a
    file that cannot be stored raises :class:`NotStored` and nothing is marked. Returns
    what :func:`keep` records."""
    target = store()
    session = db.session()
    stored = []
    for kind, content, content_type in prepared:
        key = None
        if content is not None:
            key = (f"{job.merchant_id}/{job.id}/{outcome}-{kind.value}-"
                   f"{secrets.token_hex(8)}.{EXT[content_type]}")
            try:
                target.put(key, content, content_type)
            except Exception as err:
                log.warning("proof of job %s not stored: %s", job.id, err)
                _discard(session)
                raise NotStored("the proof could not be stored: try again in a moment",
                                {kind.value: "not stored"}) from None
            session.info.setdefault(_PENDING, []).append((target, key))
        stored.append((kind, key, content_type, len(content or b"")))
    return stored


def keep(job: Job, courier: Courier | None, outcome: str, stored: list) -> list[Proof]:
    """The rows of the proofs :func:`put` stored (flushed)."""
    rows = [Proof(job_id=job.id, courier_id=courier.id if courier else None, kind=kind,
                  outcome=outcome, key=key, content_type=content_type, size=size)
            for kind, key, content_type, size in stored]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def of_job(job: Job) -> list[Proof]:
    return list(db.session.scalars(select(Proof).where(Proof.job_id == job.id)
                                   .order_by(Proof.id)))


def content(proof: Proof) -> bytes:
    """The file of a proof, from the store."""
    try:
        return store().get(proof.key)
    except Exception as err:
        log.warning("proof %s not read: %s", proof.id, err)
        raise NotStored("the proof could not be read: try again in a moment",
                        {"proof": "not readable"}) from None


def remove(job: Job) -> int:
    """Delete the files of ``job``'s proofs (the rows stay, marked removed). Returns how
    many files went."""
    target, gone = store(), 0
    for proof in of_job(job):
        if proof.key:
            target.delete(proof.key)
            gone += 1
        proof.key, proof.removed_at = None, proof.removed_at or utcnow()
    db.session.flush()
    return gone


def _discard(session: Session) -> None:
    for target, key in session.info.pop(_PENDING, []):
        try:
            target.delete(key)
        except Exception:  # the store is failing: the file stays, unreferenced
            log.warning("stored proof %s left behind after a rollback", key)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    _discard(session)
