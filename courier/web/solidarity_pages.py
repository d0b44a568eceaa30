"""Pages of solidarity logistics: a partner's deliveries, a food hub's rounds, the
council's setup checklist, and the coop's public open data.

The partner's and the hub's pages are shells like the others (their scripts go
through the REST API); the checklist and the open data are rendered here.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from courier import settings
from courier.errors import NotFound
from courier.models import MerchantKind, Role
from courier.setup import checklist
from courier.solidarity import opendata

bp = Blueprint("solidarity_pages", __name__)


def _shell(template: str, *roles: Role, **context):
    if current_user.role not in roles:
        abort(403)
    from courier.web.pages import features
    from courier.web.public import map_config

    config_js = {"features": features(), **map_config()}
    return render_template(template, user=current_user, config_js=config_js, **context)


@bp.get("/partner")
@login_required
def partner():
    """Ask for a free delivery for someone, follow one's requests live."""
    return _shell("partner.html", Role.PARTNER)


@bp.get("/hub")
@login_required
def hub():
    """A food hub's producers, recurring rounds, rounds and their order lists."""
    m = current_user.merchant if current_user.role == Role.MERCHANT else None
    if m is None or m.kind != MerchantKind.HUB:
        abort(403)
    return _shell("hub.html", Role.MERCHANT)


@bp.get("/setup")
@login_required
def setup():
    """What this instance still needs, for the council."""
    if current_user.role != Role.COUNCIL:
        abort(403)
    items = checklist.items()
    return render_template("setup.html", coop=settings.all_settings(), items=items,
                           remaining=sum(1 for i in items if i["required"] and not i["done"]),
                           production=current_app.config.get("ENV") == "production")


@bp.get("/open-data")
def open_data():
    """The coop's weekly figures, for anyone (only if the coop publishes them)."""
    try:
        data = opendata.weekly(12)
    except NotFound:
        abort(404)
    return render_template("open_data.html", data=data, totals=opendata.totals(data))
