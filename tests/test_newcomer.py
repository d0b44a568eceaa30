"""What a newcomer meets first, from a fresh clone with the README's commands: the app's
own pages in their language, a demo that says at once when its port is taken, a demo
coop fully set up, the README's logins, and a ``courier --help`` about Courier."""

from __future__ import annotations

import html
import re
import socket
from pathlib import Path

from click.testing import CliRunner
from flask_babel import refresh
from sqlalchemy import func, select

from courier.extensions import db
from courier.models import User

ROOT = Path(__file__).resolve().parents[1]


def _text(response) -> str:
    refresh()  # the tests' app context outlives requests: forget the language it cached
    return html.unescape(response.get_data(as_text=True))


def test_unpublished_open_data_is_the_apps_own_page_in_the_readers_language(client):
    fr = client.get("/open-data", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert fr.status_code == 404 and fr.mimetype == "text/html"
    assert "Page introuvable" in _text(fr) and "Not Found" not in _text(fr)
    en = client.get("/open-data", headers={"Accept-Language": "en"})
    assert en.status_code == 404 and "Page not found" in _text(en)
    assert "requested URL" not in _text(en)


def test_a_demo_on_a_port_in_use_says_so_in_one_line_before_anything_else(app, runner):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = runner.invoke(args=["demo", "--port", str(port), "--no-history"])
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        f"Error: port {port} on 127.0.0.1 is already in use (another Courier running?): "
        "stop it, or choose another port with --port"]
    assert db.session.scalar(select(func.count()).select_from(User)) == 0  # nothing seeded


def test_the_demo_coop_has_no_required_setup_step_left(app, client):
    from courier.demo import seed
    from courier.setup import checklist

    seed.seed()
    seed.seed()  # (idempotent: one zone, one pricing version)
    missing = [i["key"] for i in checklist.items() if i["required"] and not i["done"]]
    assert missing == []
    council = db.session.scalars(select(User).where(User.email == "council@demo.coop")).one()
    r = client.post("/login", data={"email": council.email, "password": seed.PASSWORD,
                                    "csrf_token": _csrf(client)})
    assert r.status_code == 302
    refresh()
    page = _text(client.get("/setup", headers={"Accept-Language": "en"}))
    assert "Every required step is done" in page and "required step left" not in page


def _csrf(client):
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_every_demo_job_falls_in_the_demo_zone_at_the_default_price(app):
    """The zone covers where the simulator sends jobs (each place, give or take its
    jitter), and the demo's pricing rule prices as the default does."""
    from courier.demo import seed
    from courier.shops import pricing
    from courier.shops.rules import Facts
    from courier.shops.zones import check_in_service

    seed.seed()
    for p in seed.CITY["places"] + seed.CITY["shops"]:
        for dlat in (-0.004, 0.004):
            for dlon in (-0.005, 0.005):
                check_in_service([("dropoff", p["lat"] + dlat, p["lon"] + dlon, "")])
    for km in (0.4, 3.2, 7.0):
        facts = Facts(km, 2.0, 10.0, 90, 1, frozenset({"Lyon"}), (frozenset({"Lyon"}),),
                      "tue", 600)
        price = pricing.price_for(facts)
        assert price.version == 1 and price.cents == pricing.default_price(facts).cents


def test_the_readme_lists_every_demo_login(app):
    from courier.demo import seed

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    wanted = [s["email"] for s in seed.CITY["staff"]] + [
        c["email"] for c in seed.CITY["couriers"] if not c["simulated"]] + [
        seed.CITY["shops"][0]["email"]]
    assert [w for w in wanted if w not in readme] == []
    assert "council@demo.coop" in wanted


def test_courier_help_shows_the_products_commands_not_flasks_options():
    from courier.__main__ import main

    out = CliRunner().invoke(main, ["--help"]).output
    for ours in ("demo", "init", "run", "worker", "create-user", "zones", "db"):
        assert re.search(rf"^  {ours}\b", out, re.M), ours
    for theirs in ("--env-file", "--app", "-A,", "python-dotenv", "--debug", "limiter"):
        assert theirs not in out, theirs
