"""``courier zones import FILE.geojson`` and ``courier zones export``."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from courier.errors import DomainError


@click.group("zones")
def zones_group():
    """Service zones as GeoJSON ([longitude, latitude], RFC 7946)."""


@zones_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--replace", is_flag=True,
              help="Deactivate the zones that are not in the file.")
@with_appcontext
def import_command(file, replace):
    """Create or update zones by name from a FeatureCollection (properties.name).

    All features or none: on any problem, every one is listed and nothing changes.
    """
    from courier.extensions import db
    from courier.shops.zones import import_zones

    try:
        doc = json.load(file)
    except json.JSONDecodeError as err:
        raise click.ClickException(f"{file.name} is not JSON: {err}") from None
    try:
        counts = import_zones(None, doc, replace=replace)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        lines = [f"  {field}: {msg}" for field, msg in err.fields.items()]
        raise click.ClickException("\n".join([f"nothing imported from {file.name}:", *lines])
                                   if lines else err.message) from None
    click.echo(f"zones: {counts['created']} created, {counts['updated']} updated, "
               f"{counts['deactivated']} deactivated")


@zones_group.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default=None,
              help="Write to this file instead of standard output.")
@with_appcontext
def export_command(output):
    """Print every zone as a GeoJSON FeatureCollection."""
    from courier.shops.zones import export_zones

    text = json.dumps(export_zones(), ensure_ascii=False, indent=1)
    (output or sys.stdout).write(text + "\n")
