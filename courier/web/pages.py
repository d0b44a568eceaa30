"""Server-rendered pages: login, the shop's page, the courier's phone page and the
dispatcher's board. The pages talk to the REST API and listen on Socket.IO."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from courier.extensions import db
from courier.models import Role, User
from courier.web.security import limit_login

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
            "council_link": _council_link, "rule_words": words}


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
        if user and user.active and user.password_hash and check_password_hash(
                user.password_hash, form.password.data):
            login_user(user)
            return redirect(url_for(HOME[user.role]))
        error = _l("Wrong email or password.")
    status = 401 if error else (422 if form.errors else 200)
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("pages.login"))


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
