"""The words of a message, in the recipient's language (the job's ``recipient_lang``,
else the coop's): what it says of the courier's time of arrival, the proof, the
reason of a failure and what happens to the parcel then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from courier import settings
from courier.extensions import db
from courier.messages.addresses import EMAIL, opt_out_url, proof_url
from courier.models import Job, MessageKind, Proof, ProofKind, StopKind
from courier.tracking import tracking_url

# The app's function giving the code a recipient hands the courier at the door, when the
# shop asks for one (:func:`courier.proofs.policy.recipients_code`, wired by init_app).
DELIVERY_CODE = "courier.delivery_code"


@dataclass(frozen=True)
class Words:
    subject: str
    body: str


def language(job: Job) -> str:
    langs = current_app.config["LANGUAGES"]
    return job.recipient_lang if job.recipient_lang in langs else \
        current_app.config["BABEL_DEFAULT_LOCALE"]


def expected_arrival(job: Job) -> datetime | None:
    """When the courier should reach the recipient: the live estimate of the drop-off
    stop when dispatch keeps one (``run_stops.eta``), else its planned arrival."""
    if job.run is None:
        return None
    stop = next((s for s in job.run.stops if s.job_id == job.id and s.kind == StopKind.DROPOFF),
                None)
    if stop is None:
        return None
    return getattr(stop, "eta", None) or stop.planned_arrival


def _clock(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(current_app.config["COOP_TIMEZONE"]))
    return format_time(local, "short", locale=lang)


def _proof(job: Job) -> Proof | None:
    return db.session.scalar(select(Proof).where(
        Proof.job_id == job.id, Proof.outcome == "delivered", Proof.key.is_not(None),
        Proof.kind.in_((ProofKind.PHOTO, ProofKind.SIGNATURE))).order_by(Proof.id.desc())
        .limit(1))


def _back_to(job: Job, shop: str) -> str:
    """What happens to a parcel that could not be delivered: it goes back."""
    if settings.get("return_hub"):
        return gettext("The parcel goes back to the cooperative's return point; %(shop)s "
                       "will contact you to arrange another delivery.", shop=shop)
    return gettext("The parcel goes back to %(shop)s, who will contact you to arrange "
                   "another delivery.", shop=shop)


def words(job: Job, kind: str, channel: str, to_hash: str, now: datetime) -> Words:
    """The subject (e-mails) and the text of a message about ``job``."""
    lang = language(job)
    shop = job.merchant.user.name
    courier = job.courier.user.first_name if job.courier is not None else ""
    link = tracking_url(job) or ""
    with force_locale(lang):
        if kind == MessageKind.ON_THE_WAY:
            subject = gettext("Your parcel from %(shop)s is on its way", shop=shop)
            lines = [gettext("%(courier)s has picked up your parcel from %(shop)s and is on "
                             "the way.", courier=courier or gettext("Your courier"), shop=shop)]
            eta = expected_arrival(job)
            if eta is not None:
                lines.append(gettext("Expected arrival: about %(time)s.",
                                     time=_clock(eta, lang)))
            code = current_app.extensions.get(DELIVERY_CODE, lambda job: None)(job)
            if code:
                lines.append(gettext("At the door, give the courier this code: %(code)s",
                                     code=code))
            if link:
                lines.append(gettext("Follow your delivery: %(link)s", link=link))
        elif kind == MessageKind.ARRIVING:
            subject = gettext("Your courier arrives in a few minutes")
            eta = expected_arrival(job)
            minutes = max(1, round((eta - now).total_seconds() / 60)) if eta else 5
            lines = [gettext("%(courier)s will be at your door in about %(minutes)s minutes "
                             "with your parcel from %(shop)s.",
                             courier=courier or gettext("Your courier"), minutes=minutes,
                             shop=shop)]
        elif kind == MessageKind.DELIVERED:
            subject = gettext("Your parcel from %(shop)s was delivered", shop=shop)
            lines = [gettext("Your parcel from %(shop)s was delivered at %(time)s.", shop=shop,
                             time=_clock(job.delivered_at or now, lang))]
            proof = _proof(job)
            if proof is not None:
                lines.append(gettext("Proof of delivery: %(link)s", link=proof_url(proof.id)))
        else:
            subject = gettext("We could not deliver your parcel from %(shop)s", shop=shop)
            lines = [gettext("The courier could not deliver your parcel: %(reason)s",
                             reason=(job.failure_reason or "").strip()
                             or gettext("no reason given"))]
            lines.append(_back_to(job, shop))
        stop = opt_out_url(channel, to_hash, lang)
        if channel == EMAIL:
            coop = settings.get("name") or gettext("the cooperative")
            lines += ["", gettext("You receive this message because %(shop)s sends you a "
                                  "parcel with %(coop)s. To receive no more messages: "
                                  "%(link)s", shop=shop, coop=coop, link=stop)]
        else:
            lines.append(gettext("No more messages: %(link)s", link=stop))
    return Words(subject, "\n".join(lines))
