"""Versions of the rules: the one in force at a time, publishing a new one, history.

Nothing is edited in place. A change is a new version with who, why, from when
it applies and what changed. A version may only take effect from now on, and no
earlier than the latest version already published, so past work always stays
under the rules that were in force when it was done. When no version exists
yet, the published template (French road-transport convention) becomes v1.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courier.errors import Forbidden, InvalidInput, NotFound
from courier.extensions import db
from courier.fairwork import rules as R
from courier.fairwork.models import RulesVersion
from courier.fairwork.tracking import local
from courier.models import Role, User, utcnow

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _ensure_first() -> None:
    if db.session.scalar(select(RulesVersion.id).limit(1)) is not None:
        return
    first = RulesVersion(number=1, reason=R.TEMPLATE_REASON, effective_from=EPOCH,
                         rules=R.template(), diff=R.diff(None, R.TEMPLATE))
    try:
        with db.session.begin_nested():
            db.session.add(first)
    except IntegrityError:
        pass  # another process published v1 at the same moment


def all_versions() -> list[RulesVersion]:
    """Every version, oldest first."""
    _ensure_first()
    return list(db.session.scalars(select(RulesVersion).order_by(RulesVersion.number)))


def in_force(at: datetime) -> RulesVersion:
    """The version that applies to work done at ``at``."""
    _ensure_first()
    stmt = (select(RulesVersion).where(RulesVersion.effective_from <= at)
            .order_by(RulesVersion.effective_from.desc(), RulesVersion.number.desc()).limit(1))
    return db.session.scalars(stmt).first() or by_number(1)


class Timeline:
    """The versions in force over a stretch of time, for pay and reports: looked up
    in memory rather than one query per piece of work."""

    def __init__(self, versions: list[RulesVersion] | None = None):
        self.versions = sorted(versions if versions is not None else all_versions(),
                               key=lambda v: (v.effective_from, v.number))

    def at(self, t: datetime) -> RulesVersion:
        found = self.versions[0]
        for v in self.versions:
            if v.effective_from <= t:
                found = v
            else:
                break
        return found

    def boundaries(self, start: datetime, end: datetime) -> list[datetime]:
        """The times strictly inside ``(start, end)`` where another version takes over."""
        return [v.effective_from for v in self.versions if start < v.effective_from < end]


def by_number(number: int) -> RulesVersion:
    _ensure_first()
    found = db.session.scalars(select(RulesVersion).where(RulesVersion.number == number)).first()
    if found is None:
        raise NotFound(f"no rules version {number}", {"version": "unknown"})
    return found


def latest() -> RulesVersion:
    _ensure_first()
    return db.session.scalars(select(RulesVersion).order_by(RulesVersion.number.desc())).first()


def publish(user: User, change: dict, reason: str, effective_from: datetime | None = None,
            now: datetime | None = None) -> RulesVersion:
    """A new version: ``change`` (whole or partial) laid over the latest version.

    Only the council sets the rules. ``reason`` says why, for the history.
    """
    if user.role != Role.COUNCIL:
        raise Forbidden("only the council sets the rules")
    now = now or utcnow()
    if not reason or not reason.strip():
        raise InvalidInput("say why the rules change", {"reason": "required"})
    effective_from = effective_from or now
    prev = latest()
    if effective_from < now:
        raise InvalidInput("a rules change cannot apply to the past",
                           {"effective_from": "must not be in the past"})
    if effective_from < prev.effective_from:
        since = local(prev.effective_from, day=True)  # the coop's time
        raise InvalidInput(f"{prev.label} already applies from {since}; "
                           "a new version cannot take effect before it",
                           {"effective_from": f"must be after {prev.effective_from.isoformat()}"})
    base = R.complete(prev.rules)  # with any rule added since it was stored
    doc = R.validate(R.merge(base, change))
    changes = R.diff(base, doc)
    if not changes:
        raise InvalidInput(f"nothing changes from {prev.label}", {"rules": "no change"})
    version = RulesVersion(number=prev.number + 1, created_at=now, created_by_id=user.id,
                           reason=reason.strip()[:500], effective_from=effective_from,
                           rules=doc, diff=changes)
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:
        from courier.errors import Conflict

        raise Conflict("someone published another version meanwhile: reload and retry") from None
    return version


def compare(a: int, b: int) -> dict:
    """What differs between versions ``a`` and ``b``."""
    va, vb = by_number(a), by_number(b)
    return {"from": va, "to": vb, "changes": R.diff(va.rules, vb.rules)}
