"""The pages of messages and recurring jobs: a recipient's opt-out page (public, signed
link, both languages, no login) and the proof of a delivery a message links to; a shop's
pages to choose its messages and to keep its recurring jobs (shells: their scripts read
and write through the REST API)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import force_locale
from flask_login import current_user, login_required

from courier.extensions import csrf, db
from courier.messages import addresses
from courier.models import Proof, Role
from courier.proofs import keep

bp = Blueprint("messages_pages", __name__)


def _lang(link: dict | None) -> str:
    """The reader's choice (the language switch), else the language of their messages."""
    langs = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in langs:
        return chosen
    given = (link or {}).get("l")
    return given if given in langs else current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.route("/m/stop/<signed>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the permission; mail apps post it (RFC 8058)
def opt_out(signed: str):
    """Stop the messages to the address the link was sent to: a page to confirm
    (a link scanner opening it stops nothing), or one click from the mail app."""
    link = addresses.read_opt_out(signed)
    with force_locale(_lang(link)):
        if link is None:
            return render_template("messages/stop.html", state="unknown"), 404
        if request.method == "POST":
            if request.form.get("again") == "1":
                addresses.opt_in(link["h"])
                state = "again"
            else:
                addresses.opt_out(link["h"], link["c"])
                state = "stopped"
            db.session.commit()
        else:
            state = "stopped" if addresses.opted_out(link["h"]) else "ask"
        return render_template("messages/stop.html", state=state, channel=link["c"])


@bp.get("/m/proof/<signed>")
def proof(signed: str):
    """The photo or the signature of a delivery, for its recipient (the link of the
    "delivered" message); gone once the recipient's data is erased."""
    proof_id = addresses.read_proof(signed)
    row = db.session.get(Proof, proof_id) if proof_id is not None else None
    if row is None:
        abort(404)
    if not row.key:
        abort(410)
    return Response(keep.content(row), mimetype=row.content_type, headers={
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
        "X-Robots-Tag": "noindex"})


def _shop_page(template: str):
    if current_user.role != Role.MERCHANT:
        abort(403)
    return render_template(template, user=current_user)


@bp.get("/shop/messages")
@login_required
def shop_messages():
    """Which messages the shop's recipients are sent."""
    return _shop_page("shop_messages.html")


@bp.get("/shop/schedules")
@login_required
def shop_schedules():
    """The shop's recurring jobs: create, pause, edit, delete, next occurrences."""
    return _shop_page("shop_schedules.html")
