"""How a message leaves: e-mail through an SMTP server (the standard library's smtplib),
SMS through a provider. Each answers :class:`Outcome`: sent, worth another try (nothing
was sent: no connection, a temporary refusal), or refused for good.

Providers (``SMS_PROVIDER``):

- ``console`` (the default): writes the message to the log, sends nothing; for trying
  the app without an account at an SMS provider.
- ``http``: posts ``{"to", "text", "from"}`` as JSON to ``SMS_HTTP_URL`` with
  ``Authorization: Bearer SMS_HTTP_TOKEN`` and an ``Idempotency-Key`` per message (a
  provider that honours it drops a repeat), 2xx is sent; 429 and 5xx are tried again
  (``Retry-After`` honoured); any other answer is a refusal. Most providers' APIs take
  such a request, or a small relay in front of them.

E-mail goes to ``MAIL_SERVER`` (``MAIL_PORT``, ``MAIL_USE_TLS`` for STARTTLS or
``MAIL_USE_SSL``, ``MAIL_USERNAME``/``MAIL_PASSWORD``), from ``MAIL_FROM``; without a
``MAIL_SERVER`` it is written to the log like the console SMS.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

import requests
from flask import current_app

log = logging.getLogger(__name__)
SENT, AGAIN, REFUSED = "sent", "again", "refused"


@dataclass(frozen=True)
class Outcome:
    result: str
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message as the sender hands it to a channel (no database object)."""

    id: int
    channel: str
    to: str
    lang: str
    subject: str
    body: str
    opt_out_url: str


def setting(name: str):
    """A ``MAIL_*`` or ``SMS_*`` setting (defaults in :mod:`courier.config`)."""
    return current_app.config[name]


def masked(address: str) -> str:
    """An address for the log: its last two characters only."""
    return "…" + address[-2:] if len(address) > 2 else "…"


class ConsoleSms:
    """Writes SMS to the log instead of sending them."""

    name = "console"

    def send(self, msg: Outgoing) -> Outcome:
        log.info("SMS to %s (%s): %s", masked(msg.to), msg.lang, msg.body)
        return Outcome(SENT)


class HttpSms:
    """Posts each SMS as JSON to a provider's HTTP API, with a bearer token."""

    name = "http"

    def __init__(self, url: str, token: str | None, sender: str, timeout: float):
        if not url or urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("SMS_HTTP_URL must be an http(s) URL for SMS_PROVIDER=http")
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, msg: Outgoing) -> Outcome:
        headers = {"Idempotency-Key": f"courier-message-{msg.id}"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            resp = requests.post(self.url, json={"to": msg.to, "text": msg.body,
                                                 "from": self.sender}, headers=headers,
                                 timeout=(min(5.0, self.timeout), self.timeout),
                                 allow_redirects=False)
        except requests.ConnectionError as err:
            return Outcome(AGAIN, f"{type(err).__name__}: {err}"[:300])
        except requests.RequestException as err:  # sent, perhaps: never again
            return Outcome(REFUSED, f"no answer, perhaps sent: {type(err).__name__}"[:300])
        if 200 <= resp.status_code < 300:
            return Outcome(SENT)
        retry = resp.headers.get("Retry-After")
        wait = float(retry) if retry and retry.isdigit() else None
        if resp.status_code == 429 or resp.status_code >= 500:
            return Outcome(AGAIN, f"HTTP {resp.status_code}", wait)
        return Outcome(REFUSED, f"HTTP {resp.status_code}: {resp.text[:200]}")


def sms_provider():
    """The configured provider (``SMS_PROVIDER``)."""
    name = setting("SMS_PROVIDER")
    if name == "http":
        return HttpSms(setting("SMS_HTTP_URL"), setting("SMS_HTTP_TOKEN"), setting("SMS_SENDER"),
                       float(setting("SMS_TIMEOUT")))
    if name != "console":
        raise ValueError(f"SMS_PROVIDER must be console or http, not {name!r}")
    return ConsoleSms()


def _from_address() -> str:
    given = setting("MAIL_FROM")
    if given:
        return given
    host = urlsplit(current_app.config.get("PUBLIC_URL") or "").hostname or "localhost"
    return f"no-reply@{host}"


def email_message(msg: Outgoing) -> EmailMessage:
    sender = _from_address()
    # long header lines kept whole (a link folded into encoded words breaks RFC 8058)
    mail = EmailMessage(policy=email_policy.SMTP.clone(max_line_length=998))
    mail["From"], mail["To"], mail["Subject"] = sender, msg.to, msg.subject
    mail["Date"] = formatdate(localtime=False)
    # one id per message, whatever the attempt: a repeat is recognisable as one
    mail["Message-ID"] = make_msgid(f"courier-message-{msg.id}", sender.rpartition("@")[2])
    mail["Content-Language"] = msg.lang
    mail["Auto-Submitted"] = "auto-generated"
    if msg.opt_out_url.startswith("http"):  # RFC 8058: one-click opt-out from the mail app
        mail["List-Unsubscribe"] = f"<{msg.opt_out_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(msg.body)
    return mail


def send_email(msg: Outgoing) -> Outcome:
    """Hand the e-mail to the SMTP server (or to the log without one)."""
    server = setting("MAIL_SERVER")
    mail = email_message(msg)
    if not server:
        log.info("e-mail to %s (%s): %s\n%s", masked(msg.to), msg.lang, msg.subject, msg.body)
        return Outcome(SENT)
    port, timeout = int(setting("MAIL_PORT")), float(setting("MAIL_TIMEOUT"))
    try:
        if setting("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(server, port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as err:
        return Outcome(AGAIN, f"{type(err).__name__}: {err}"[:300])
    try:
        with smtp:
            if setting("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if setting("MAIL_USERNAME"):
                smtp.login(setting("MAIL_USERNAME"), setting("MAIL_PASSWORD") or "")
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as err:
        codes = [c for c, _ in err.recipients.values()]
        temporary = all(400 <= c < 500 for c in codes)
        return Outcome(AGAIN if temporary else REFUSED, f"recipient refused: {codes}")
    except smtplib.SMTPResponseException as err:
        temporary = 400 <= err.smtp_code < 500
        return Outcome(AGAIN if temporary else REFUSED,
                       f"SMTP {err.smtp_code}: {err.smtp_error!r}"[:300])
    except (OSError, smtplib.SMTPException) as err:
        return Outcome(AGAIN, f"{type(err).__name__}: {err}"[:300])
    return Outcome(SENT)
