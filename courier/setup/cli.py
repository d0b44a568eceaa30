"""``courier init`` (a new territory in a day) and ``courier rounds tick``.

``courier init`` asks for whatever its flags do not give (coop name, city,
service zone, rules template, first council member), creates or upgrades the
schema, writes everything in one transaction, and prints the checklist of what
remains to set. Without a terminal (a container, CI, a provisioning script) it asks
nothing: what has a default takes it, and what has none is named in one error.
"""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from courier.errors import DomainError


def interactive() -> bool:
    """Whether someone is there to answer questions: standard input is a terminal."""
    return sys.stdin.isatty()


class Asked(click.Option):
    """An option asked for when missing, at a terminal only: without one it takes its
    default, or stays None for ``init_command`` to name with the other missing flags."""

    def prompt_for_value(self, ctx):
        if interactive():
            return super().prompt_for_value(ctx)
        default = self.get_default(ctx)
        return default if isinstance(default, (str, int, float, bool)) else None


def _zone(zone_file, center, radius_km):
    from courier.setup.territory import circle, parse_center

    if zone_file is not None:
        try:
            return json.load(zone_file), (parse_center(center) if center else None)
        except json.JSONDecodeError as err:
            raise click.BadParameter(f"{zone_file.name} is not JSON: {err}",
                                     param_hint="--zone-file") from None
    if center is None:
        where = click.prompt("Service zone: a GeoJSON file, or the centre as LAT,LON")
        try:
            lat, lon = parse_center(where)
        except DomainError:
            try:
                with open(where, encoding="utf-8") as fh:
                    return json.load(fh), None
            except (OSError, ValueError) as err:
                raise click.BadParameter(f"neither LAT,LON nor a GeoJSON file: {err}",
                                         param_hint="service zone") from None
    else:
        lat, lon = parse_center(center)
    if radius_km is None and not interactive():
        radius_km = 5.0
    if radius_km is None:
        radius_km = click.prompt("Radius around it, in km", type=click.FloatRange(0.1, 200),
                                 default=5.0)
    return circle(lat, lon, radius_km), (lat, lon)


@click.command("init")
@click.option("--name", cls=Asked, prompt="Coop name", help="The coop's name.")
@click.option("--city", cls=Asked, prompt="City", help="The city (or territory) it serves.")
@click.option("--zone-file", type=click.File("r", encoding="utf-8"),
              help="Service zone: a GeoJSON Polygon, Feature or FeatureCollection.")
@click.option("--center", help="Service zone: the centre, as LAT,LON (with --radius-km).")
@click.option("--radius-km", type=click.FloatRange(0.1, 200), help="Radius around --center.")
@click.option("--rules", cls=Asked, prompt="Rules template (fr-road-transport, "
              "eu-working-time, or a JSON file)", default="fr-road-transport", show_default=True,
              help="fr-road-transport, eu-working-time, or a JSON file of changes.")
@click.option("--council-name", cls=Asked, prompt="First council member's name")
@click.option("--council-email", cls=Asked, prompt="Their email (to log in)")
@click.option("--council-password", cls=Asked, prompt="Their password", hide_input=True,
              confirmation_prompt=True)
@click.option("--open-data/--no-open-data", default=None,
              help="Publish weekly figures (no personal data) at a public URL.")
@with_appcontext
def init_command(name, city, zone_file, center, radius_km, rules, council_name, council_email,
                 council_password, open_data):
    """Set up a new coop: name, city, service zone, rules, first council member."""
    from courier.db import ensure_schema
    from courier.extensions import db
    from courier.setup import checklist
    from courier.setup.territory import Territory, initialise

    _refuse_missing(name=name, city=city, council_name=council_name,
                    council_email=council_email, council_password=council_password,
                    zone=zone_file or center)
    if open_data is None:
        open_data = interactive() and click.confirm(
            "Publish weekly open data (no personal data)?", default=False)
    try:
        zone, where = _zone(zone_file, center, radius_km)
        ensure_schema(current_app._get_current_object())
        done = initialise(Territory(name, city, zone, rules, council_name, council_email,
                                    council_password, where, open_data))
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        lines = [f"  {k}: {v}" for k, v in (err.fields or {}).items()]
        raise click.ClickException("\n".join([err.message, *lines])) from None
    click.echo(f"{name} is set up in {city}: service zone, rules ({done['rules']}), "
               f"council member {council_email}.")
    from courier.journal import vapid

    path, written = vapid.ensure_keys()
    click.echo(f"Web Push key for offers to couriers' phones: {path}"
               f"{'' if written else ' (kept)'}; keep it out of version control.")
    click.echo("Still to do (also on the page /setup once logged in):")
    for item in checklist.items():
        if not item["done"]:
            click.echo(f"  [{'required' if item['required'] else 'optional'}] "
                       f"{item['label']}: {item['hint']}")


def _refuse_missing(**given) -> None:
    """Without a terminal, name every flag that has no default and was not given."""
    if interactive():
        return
    flags = {"zone": "--center LAT,LON (or --zone-file)"}
    missing = [flags.get(k, "--" + k.replace("_", "-")) for k, v in given.items() if v is None]
    if missing:
        raise click.UsageError("there is no terminal to ask, so give " + ", ".join(missing))


@click.group("rounds")
def rounds_group():
    """Food hubs' rounds."""


@rounds_group.command("tick")
@with_appcontext
def tick_command():
    """Make the coming week's rounds and release those at their cut-off (the dispatch
    loop does this by itself; for a cron job when it does not run)."""
    from courier.extensions import db
    from courier.models import utcnow
    from courier.solidarity.rounds import plan_ahead, release_due

    now = utcnow()
    made, released = plan_ahead(now), release_due(now)
    db.session.commit()
    click.echo(f"rounds: {len(made)} made, {len(released)} released")


def register(app) -> None:
    for cmd in (init_command, rounds_group):
        app.cli.add_command(cmd)
