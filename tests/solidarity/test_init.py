"""``courier init``: a new territory in a day, with flags or by answering questions, and
the checklist page of what remains to set."""

import json

import sqlalchemy as sa
from shapely.geometry import Point, shape
from sqlalchemy import select
from werkzeug.security import check_password_hash

from courier import create_app, settings
from courier.extensions import db
from courier.fairwork import versions
from courier.fairwork.models import RulesVersion
from courier.models import Role, User, Zone, utcnow
from courier.setup import templates
from tests.conftest import base_config
from tests.test_pages import login

FLAGS = ["init", "--name", "Vélo Solidaire", "--city", "Villeurbanne",
         "--center", "45.7719,4.8902", "--radius-km", "3", "--rules", "eu-working-time",
         "--council-name", "Nadia Conseil", "--council-email", "Nadia@coop.example",
         "--council-password", "a long secret", "--open-data"]


def inside(zone: Zone, lat: float, lon: float) -> bool:
    return shape(zone.geometry).contains(Point(lon, lat))


def test_init_with_flags_gives_a_working_instance_as_asked(runner, client):
    r = runner.invoke(args=FLAGS)
    assert r.exit_code == 0, r.output
    (zone,) = db.session.scalars(select(Zone)).all()
    assert zone.name == "Villeurbanne" and zone.active
    assert inside(zone, 45.7719, 4.8902)  # the centre; 3 km around it, not 3.5 km
    assert inside(zone, 45.7719 + 2.9 / 111.2, 4.8902)
    assert not inside(zone, 45.7719 + 3.5 / 111.2, 4.8902)
    rules = versions.in_force(utcnow())
    assert rules.number == 1 and "eu-working-time" in rules.reason
    assert rules.rules == templates.load("eu-working-time")[1]
    assert rules.rules["working_time"]["max_day"]["limit_s"] == 13 * 3600  # not the French 10 h
    (council,) = db.session.scalars(select(User)).all()
    assert (council.role, council.name, council.email) == (Role.COUNCIL, "Nadia Conseil",
                                                           "nadia@coop.example")
    assert check_password_hash(council.password_hash, "a long secret")
    assert (settings.get("name"), settings.get("city"), settings.get("open_data")) == (
        "Vélo Solidaire", "Villeurbanne", True)
    assert "Shops, food hubs or partners" in r.output and "Pricing rules" in r.output

    r = client.post("/login", data={"email": "nadia@coop.example", "password": "a long secret",
                                    "csrf_token": _csrf(client)})
    assert r.status_code == 302  # the first member logs in...
    page = client.get("/setup").get_data(as_text=True)
    assert "Villeurbanne" in page and 'data-done="false"' in page  # ...and sees what is left
    assert client.get("/api/v1/open-data/weekly.json").status_code == 200

    again = runner.invoke(args=FLAGS)
    assert again.exit_code == 1 and "already in use" in again.output
    assert db.session.scalar(select(sa.func.count()).select_from(RulesVersion)) == 1


def _csrf(client):
    import re

    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_init_answers_questions_when_flags_are_missing(runner, monkeypatch):
    monkeypatch.setattr("courier.setup.cli.interactive", lambda: True)  # at a terminal
    answers = "\n".join(["Coop du Sud", "Marseille", "", "Ana Conseil", "ana@sud.example",
                         "password1", "password1", "n", "43.2965,5.3698", "4", ""])
    r = runner.invoke(args=["init"], input=answers)
    assert r.exit_code == 0, r.output
    assert "Coop name" in r.output and "Radius" in r.output
    (zone,) = db.session.scalars(select(Zone)).all()
    assert zone.name == "Marseille" and inside(zone, 43.2965, 5.3698)
    assert versions.in_force(utcnow()).rules == templates.load("fr-road-transport")[1]
    assert settings.get("open_data") is False and settings.chosen("open_data")


def test_init_on_a_blank_database_file_creates_the_schema(tmp_path):
    zone = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[4.80, 45.72], [4.90, 45.72], [4.90, 45.80], [4.80, 45.80], [4.80, 45.72]]]}}
    path = tmp_path / "zone.geojson"
    path.write_text(json.dumps(zone))
    app = create_app(base_config(f"sqlite:///{tmp_path / 'blank.sqlite'}"))
    try:
        with app.app_context():
            r = app.test_cli_runner().invoke(args=[
                "init", "--name", "Coop", "--city", "Lyon", "--zone-file", str(path),
                "--rules", "fr", "--council-name", "Léa", "--council-email", "lea@x.org",
                "--council-password", "password1", "--no-open-data"])
            assert r.exit_code == 0, r.output
            (row,) = db.session.scalars(select(Zone)).all()
            assert row.name == "Lyon" and inside(row, 45.76, 4.85)
            assert inside(row, *settings.get("center"))  # the zone's own centre
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()


def test_init_bad_input_is_a_message_and_writes_nothing(runner):
    bad_centre = FLAGS[:5] + ["--center", "Lyon", "--radius-km", "3"] + FLAGS[9:]
    r = runner.invoke(args=bad_centre)
    assert r.exit_code == 1 and "LAT,LON" in r.output
    bad_rules = [*FLAGS[:9], "--rules", "belgian", *FLAGS[11:]]
    r = runner.invoke(args=bad_rules)
    assert r.exit_code == 1 and "unknown rules template" in r.output
    short = [*FLAGS[:-3], "--council-password", "short", "--open-data"]
    r = runner.invoke(args=short)
    assert r.exit_code == 1 and "8 characters" in r.output
    assert db.session.scalars(select(User)).all() == []
    assert db.session.scalars(select(Zone)).all() == []


def test_the_checklist_follows_what_is_set(runner, client, make_merchant, make_courier):
    assert runner.invoke(args=FLAGS).exit_code == 0
    from courier.accounts import issue_token
    from tests.conftest import Actor

    council = db.session.scalars(select(User)).one()
    nadia = Actor(client, council, issue_token(council))
    db.session.commit()
    items = {i["key"]: i for i in nadia.get("/setup/checklist").json["items"]}
    assert not items["shops"]["done"] and not items["couriers"]["done"]
    assert items["zone"]["done"] and items["council"]["done"] and items["coop"]["done"]
    make_merchant(), make_courier()
    items = {i["key"]: i for i in nadia.get("/setup/checklist").json["items"]}
    assert items["shops"]["done"] and items["couriers"]["done"]
    assert make_courier("Zoé").get("/setup/checklist").status_code == 403


def test_setup_page_is_for_the_council(client, make_courier):
    login(client, make_courier())
    assert client.get("/setup").status_code == 403
