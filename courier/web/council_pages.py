"""The pages about money and the rules: the council's (earnings and fairness report,
rules with history, comparison and what-if), the member's own earnings and decisions page,
a shop's statements and invoices, and the dashboards (the coop's work, a shop's jobs, in
charts).

Like the other pages they are shells: the scripts read and write through the
REST API, which does every permission check again.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user, login_required

from courier.models import Role
from courier.solidarity.opendata import van_kg_co2e_per_km

bp = Blueprint("council", __name__)


def _page(template: str, *roles: Role, **context):
    if current_user.role not in roles:
        abort(403)
    return render_template(template, user=current_user, **context)


@bp.get("/council")
@login_required
def reports():
    """Earnings and fairness across members, warnings, contests to answer."""
    return _page("council/reports.html", Role.COUNCIL)


@bp.get("/council/rules")
@login_required
def rules():
    """The rules in force, a draft of the next version, history and comparison, what-if."""
    return _page("council/rules.html", Role.COUNCIL)


@bp.get("/council/privacy")
@login_required
def privacy():
    """How long recipients' data is kept, and a recipient's request to see or erase it."""
    return _page("council/privacy.html", Role.COUNCIL)


@bp.get("/council/ledger")
@login_required
def ledger():
    """Mutual credit with each partner coop: balance and limit, statements, settlements,
    the books compared, and the partnership's relay hubs."""
    return _page("council/ledger.html", Role.COUNCIL)


@bp.get("/council/federation")
@login_required
def federation():
    """Partner coops: pairing, the hand-off rule (the council), jobs handed over both ways
    (the council and dispatch)."""
    return _page("council/federation.html", Role.COUNCIL, Role.DISPATCHER)


@bp.get("/me/earnings")
@login_required
def my_earnings():
    """A member's own earnings, the coop's anonymised distribution, and the reasons
    for their offers and non-offers, which they can contest."""
    courier = current_user.courier if current_user.role == Role.COURIER else None
    return _page("council/earnings.html", Role.COURIER, courier_id=courier.id if courier else 0)


@bp.get("/shop/statements")
@login_required
def shop_statements():
    """A shop's monthly statements (the API's figures), their CSV and invoices."""
    return _page("shop_statements.html", Role.MERCHANT)


@bp.get("/shifts")
@login_required
def shifts():
    """The shift calendar: the week's slots, signing up, swaps, the demand forecast."""
    courier = current_user.courier if current_user.role == Role.COURIER else None
    return _page("shifts.html", Role.COURIER, Role.DISPATCHER, Role.COUNCIL,
                 courier_id=courier.id if courier else 0,
                 vehicle=courier.vehicle.value if courier else "")


@bp.get("/dashboard")
@login_required
def dashboard():
    """The coop's work in charts, for its members, dispatch and the council (the members'
    hours and pay by name for the council only; the API decides)."""
    return _page("dashboard.html", Role.COURIER, Role.DISPATCHER, Role.COUNCIL, scope="coop",
                 co2_kg_per_km=van_kg_co2e_per_km())


@bp.get("/shop/dashboard")
@login_required
def shop_dashboard():
    """A shop's own jobs in charts."""
    return _page("dashboard.html", Role.MERCHANT, scope="shop",
                 co2_kg_per_km=van_kg_co2e_per_km())


# the documents the pages link to, for how a figure is computed
DOCS = ("fairwork.md", "shifts.md", "dashboard.md")


@bp.get("/docs/<name>")
def doc(name: str):
    """How the figures are computed, in the project's own words: the pages' "how is this
    computed" lines link to its sections. Plain text, public like the rules themselves."""
    path = Path(current_app.root_path).parent / "docs" / name
    if name not in DOCS or not path.is_file():
        abort(404)
    return Response(path.read_text(encoding="utf-8"), mimetype="text/plain",
                    headers={"Cache-Control": "no-cache"})
