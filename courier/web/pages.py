"""Server-rendered pages: login, one's account, the shop's page, the courier's phone page
and the dispatcher's board. The pages talk to the REST API and listen on Socket.IO."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from courier import accounts, tokens
from courier.errors import InvalidInput
from courier.extensions import db
from courier.journal import devices
from courier.models import Role, User
from courier.web.auth import end_session, start_session, this_session
from courier.web.security import limit_login
from courier.web.sockets import end_page_sockets

bp = Blueprint("pages", __name__)

HOME = {Role.MERCHANT: "pages.shop", Role.COURIER: "pages.courier",
        Role.DISPATCHER: "pages.dispatch", Role.COUNCIL: "council.reports",
        Role.PARTNER: "solidarity_pages.partner"}


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(_l("Enter your email address.")),
        Length(max=254, message=_l("At most 254 characters."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


def _page(template: str, *roles: Role):
    if current_user.role not in roles:
        abort(403)
    from courier.web.public import map_config

    config_js = {"offerTtl": current_app.config["OFFER_TTL"],
                 "positionInterval": current_app.config["POSITION_INTERVAL"],
                 "features": features(), **map_config()}
    return render_template(template, user=current_user, config_js=config_js)


def _has_rule(rule: str, method: str = "POST") -> bool:
    return any(r.rule == rule and method in r.methods for r in current_app.url_map.iter_rules())


def features() -> dict:
    """Which optional APIs this instance has, so the pages offer only what works."""
    return {"quotes": _has_rule("/api/v1/quotes"), "import": _has_rule("/api/v1/jobs/import"),
            "slots": _has_rule("/api/v1/slots", "GET"),
            "geocode": bool(current_app.config.get("GEOCODER")) and _has_rule("/api/v1/quotes")}


def _council_link() -> str | None:
    """The council's pages, once they exist: the shortest plain GET page under /council."""
    rules = sorted((r.rule for r in current_app.url_map.iter_rules()
                    if r.rule.startswith("/council") and not r.arguments
                    and "GET" in r.methods), key=len)
    return rules[0] if rules else None


@bp.app_context_processor
def _page_globals():
    from courier.fairwork.labels import words
    from courier.web.strings import js_catalogue, page_locale

    return {"page_locale": page_locale, "js_catalogue": js_catalogue,
            "council_link": _council_link, "rule_words": words,
            "coop_time_zone": lambda: current_app.config["COOP_TIMEZONE"]}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(HOME[current_user.role]))
    return redirect(url_for("pages.login"))


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = db.session.scalars(select(User).where(User.email == form.email.data.lower())).first()
        if user and accounts.password_matches(user, form.password.data):
            start_session(user)
            db.session.commit()
            return redirect(url_for(HOME[user.role]))
        error = _l("Wrong email or password.")
    status = 401 if error else (422 if form.errors else 200)
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Log out: this browser's session ends (a copy of its cookie with it), and its live
    connections close; the member's sessions on other devices and their API tokens live
    on ("log out everywhere" ends them all)."""
    user_id, sid = current_user.id, this_session()
    accounts.end_session(current_user, sid)
    db.session.commit()
    end_session()
    end_page_sockets(user_id, sid)
    return redirect(url_for("pages.login"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your password."))])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Enter a new password.")),
        Length(min=accounts.MIN_PASSWORD, max=200, message=_l("8 to 200 characters."))])
    repeat = PasswordField(_l("New password, again"), validators=[
        EqualTo("new_password", _l("The two new passwords differ."))])


DONE = {"password": _l("Password changed. Your sessions on other devices have ended."),
        "revoked": _l("Token revoked: it no longer works."),
        "ended": _l("Session ended: that device is logged out.")}


@bp.get("/account")
@login_required
def account():
    """One's own account: the password, one's sessions (ending one, or all), and the API
    tokens."""
    return _account(PasswordForm(formdata=None))


def _account(form: PasswordForm, status: int = 200):
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    shown = [{"id": t.id, "name": t.name, "scopes": t.scopes, "revoked": t.revoked_at is not None,
              "created": _when(t.created_at, tz), "used": _when(t.last_used_at, tz)}
             for t in tokens.of(current_user)]
    notified = [{"id": d.id, "label": d.label, "created": _when(d.created_at, tz),
                 "sent": _when(d.last_sent_at, tz)} for d in devices.of(current_user)]
    here = this_session()
    sessions = [{"id": s.id, "device": device(s.user_agent), "here": s.id == here,
                 "created": _when(s.created_at, tz), "seen": _when(s.last_seen_at, tz)}
                for s in accounts.sessions_of(current_user)]
    return render_template("account.html", user=current_user, form=form, tokens=shown,
                           devices=notified, sessions=sessions,
                           done=DONE.get(request.args.get("done", ""))), status


BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def device(user_agent: str) -> str:
    """A device as its member would recognise it: its browser and system, else the start
    of what it said it was."""
    found = [next((name for key, name in table if key in user_agent), None)
             for table in (BROWSERS, SYSTEMS)]
    return " · ".join(n for n in found if n) or (user_agent[:40] or "?")


def _when(moment, tz) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


@bp.post("/account/password")
@login_required
def change_password():
    """A new password ends every session of the member's, then opens a new one here."""
    form = PasswordForm()
    if not form.validate():
        return _account(form, 422)
    user = current_user._get_current_object()
    try:
        accounts.change_password(user, form.current_password.data, form.new_password.data)
    except InvalidInput:
        db.session.rollback()
        form.current_password.errors = [_l("This is not your current password.")]
        return _account(form, 422)
    db.session.commit()
    start_session(user)  # this browser, under the new generation
    db.session.commit()
    end_page_sockets(user.id)
    return redirect(url_for("pages.account", done="password"))


@bp.post("/account/sessions/end")
@login_required
def end_sessions():
    """Log out everywhere: every session of this member ends, this one included."""
    user_id = current_user.id
    accounts.end_sessions(current_user)
    db.session.commit()
    end_session()
    end_page_sockets(user_id)
    return redirect(url_for("pages.login"))


@bp.post("/account/sessions/<sid>/end")
@login_required
def end_one_session(sid: str):
    """End one of one's sessions, another device's (this one's is logging out)."""
    if sid == this_session():
        return logout()
    if not accounts.end_session(current_user, sid):
        abort(404)
    db.session.commit()
    end_page_sockets(current_user.id, sid)
    return redirect(url_for("pages.account", done="ended"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    tokens.revoke(current_user, token_id)
    db.session.commit()
    return redirect(url_for("pages.account", done="revoked"))


@bp.post("/account/devices/<int:device_id>/remove")
@login_required
def remove_device(device_id: int):
    """Stop notifying one of one's devices of offers (Web Push)."""
    devices.remove(current_user, device_id)
    db.session.commit()
    return redirect(url_for("pages.account") + "#devices-title")


@bp.get("/shop")
@login_required
def shop():
    return _page("shop.html", Role.MERCHANT)


@bp.get("/courier")
@login_required
def courier():
    return _page("courier.html", Role.COURIER)


@bp.get("/dispatch")
@login_required
def dispatch():
    return _page("dispatch.html", Role.DISPATCHER, Role.COUNCIL)


@bp.get("/lang/<code>")
def set_language(code: str):
    """Choose the language: remembered by this browser, and as the user's own setting
    (it follows them to their other devices) when logged in."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    back = request.referrer or ""
    resp = redirect(back if back.startswith(request.host_url) else url_for("pages.index"))
    resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax")
    return resp
