"""``courier init`` run where no one can answer (a container, CI, a provisioning script):
it asks nothing, takes the defaults, and names in one error the flags it cannot do
without. (The test runner's standard input is not a terminal, as there.)"""

from sqlalchemy import select

from courier import settings
from courier.extensions import db
from courier.fairwork import versions
from courier.models import Zone, utcnow
from courier.setup import templates

REQUIRED = ["init", "--name", "Coop du Nord", "--city", "Lille", "--center", "50.6292,3.0573",
            "--council-name", "Inès Conseil", "--council-email", "ines@nord.example",
            "--council-password", "a long secret"]


def test_without_a_terminal_init_takes_the_defaults_instead_of_aborting(runner):
    r = runner.invoke(args=REQUIRED)
    assert r.exit_code == 0, r.output
    assert "Rules template" not in r.output and "Aborted" not in r.output
    assert versions.in_force(utcnow()).rules == templates.load("fr-road-transport")[1]
    (zone,) = db.session.scalars(select(Zone)).all()
    assert zone.name == "Lille"
    assert settings.get("open_data") is False


def test_without_a_terminal_init_names_every_flag_it_needs(runner):
    r = runner.invoke(args=["init", "--city", "Lille", "--rules", "eu"])
    assert r.exit_code == 2, r.output
    assert "no terminal" in r.output
    for flag in ("--name", "--council-name", "--council-email", "--council-password",
                 "--center"):
        assert flag in r.output
    assert "--city" not in r.output.split("give", 1)[1]
    assert db.session.scalars(select(Zone)).all() == []
