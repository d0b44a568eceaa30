"""The ``courier`` command: run the app, create users, run the demo, the dispatch
worker and the benchmarks. Also ``courier db ...`` (migrations)."""

from __future__ import annotations

import os
import socket

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from courier.errors import DomainError


def _serve(host: str, port: int) -> None:
    from courier.dispatch.scheduler import start_in_background
    from courier.extensions import socketio

    app = current_app._get_current_object()
    if app.config["DISPATCH_AUTORUN"]:
        start_in_background(app)
        from courier.shops.sender import start_sender

        start_sender(app)  # webhooks go out from the process that runs dispatch
        from courier.journal import push_send

        push_send.start_sender(app)  # and pushes to couriers' devices
        from courier.messages import send as messages_send

        messages_send.start_sender(app)  # and messages to recipients
        from courier.federation import worker as federation

        federation.start_sender(app)  # and partner coops (hand-offs, their news)
    click.echo(f"Courier on http://{host}:{port}/")
    os.environ.pop("FLASK_RUN_FROM_CLI", None)  # else Flask ignores app.run() under its CLI
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False,
                 log_output=False)


def _check_port(host: str, port: int) -> None:
    """Refuse, in one line and before anything else, to start on a port already taken
    (another Courier, a second demo...), instead of failing once the server starts."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise click.ClickException(f"cannot serve on {host}: {err.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(address)
        except OSError:
            raise click.ClickException(
                f"port {port} on {host} is already in use (another Courier running?): "
                f"stop it, or choose another port with --port") from None


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def run_command(host, port):
    """Serve the app with Socket.IO (and dispatch cycles, unless disabled)."""
    _check_port(host, port)
    _serve(host, port)


@click.command("create-user")
@click.option("--role", required=True,
              type=click.Choice(["merchant", "courier", "dispatcher", "council", "partner"]))
@click.option("--name", required=True)
@click.option("--email")
@click.option("--password")
@click.option("--lat", type=click.FloatRange(-90, 90))
@click.option("--lon", type=click.FloatRange(-180, 180))
@click.option("--address", default="")
@click.option("--vehicle", type=click.Choice(["bike", "cargo_bike"]))
@click.option("--kind", type=click.Choice(["shop", "hub"]), help="A merchant's kind.")
@click.option("--volunteer", is_flag=True, help="A courier who volunteers (never paid).")
@with_appcontext
def create_user_command(role, name, email, password, lat, lon, address, vehicle, kind,
                        volunteer):
    """Create a user and print a new API token as the last line."""
    from courier.accounts import create_user, issue_token
    from courier.extensions import db

    if (lat is None) != (lon is None):
        raise click.UsageError("give both --lat and --lon, or neither")
    if vehicle and role != "courier":
        raise click.UsageError("--vehicle is only for couriers")
    if (kind and role != "merchant") or (volunteer and role != "courier"):
        raise click.UsageError("--kind is only for merchants, --volunteer only for couriers")
    try:
        user = create_user(role, name, email, password, lat, lon, vehicle, address, kind,
                           volunteer)
        token = issue_token(user, name="cli")
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    click.echo(f"created {role} {user.name} (user {user.id})")
    click.echo(token)


@click.command("worker")
@with_appcontext
def worker_command():
    """Run dispatch cycles in this process (production: beside the web processes)."""
    import signal
    import time

    from courier.dispatch.scheduler import loop
    from courier.extensions import send_only

    send_only()  # it emits offers; it never needs what the web processes send each other
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    click.echo(f"dispatch worker: every {current_app.config['DISPATCH_INTERVAL']}s")
    from courier.shops.sender import start_sender

    sender = start_sender(current_app._get_current_object())  # webhooks, beside dispatch
    from courier.journal import push_send

    pusher = push_send.start_sender(current_app._get_current_object())  # couriers' devices
    from courier.messages import send as messages_send

    mailer = messages_send.start_sender(current_app._get_current_object())  # recipients
    from courier.federation import worker as federation

    partners = federation.start_sender(current_app._get_current_object())  # partner coops
    loop(current_app._get_current_object(), time.sleep, stop=lambda: bool(stopping))
    sender.stop()
    pusher.stop()
    mailer.stop()
    partners.stop()


DEMO_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(0.1, 100),
              help="How fast the app's clock runs (1: real time; 10: a day in 2 h 24). "
                   "Riding, shifts, breaks, pay and reports all follow this one clock.")
@click.option("--history/--no-history", default=True, show_default=True,
              help="On first start, seed the coop's last four weeks (jobs, runs, shifts, "
                   "pay, a rules change, contests).")
@click.option("--federation", is_flag=True,
              help="Two neighbouring coops instead, Lyon on --port and Villeurbanne on the "
                   "next, each on a database of its own, paired and passing work live.")
@with_appcontext
def demo_command(host, port, speed, history, federation):
    """Seed a demo city (Lyon) and serve it with a simulator submitting jobs."""
    _check_port(host, port)
    if federation:
        from pathlib import Path

        from courier.demo import federation as two_coops

        _check_port(host, port + 1)
        info = click.get_current_context().find_object(ScriptInfo)
        uri = current_app.config["SQLALCHEMY_DATABASE_URI"]  # beside the demo's own file
        folder = (Path(uri.removeprefix("sqlite:///")).parent if uri.startswith("sqlite:///")
                  else Path(current_app.instance_path))
        two_coops.run(host, port, speed, history, folder, current_app.config["SECRET_KEY"],
                      info.create_app, click.echo)
        return
    from courier import clock
    from courier.demo import seed, simulator
    from courier.demo.history import seed_history

    cfg = current_app.config
    cfg["DISPATCH_INTERVAL"] = min(cfg["DISPATCH_INTERVAL"], 10)
    if not cfg["TILE_URL"]:  # a demo is light use of OpenStreetMap's tiles, with attribution;
        cfg["TILE_URL"] = DEMO_TILES  # a coop in production sets its own provider
        cfg["TILE_ATTRIBUTION"] = "© OpenStreetMap contributors"
    if speed != 1:
        clock.install(clock.SimulatedClock(speed=speed))
        click.echo(f"The clock runs {speed:g} times as fast as real time.")
    from courier.journal import vapid

    vapid.ensure_keys()  # offers pushed to the demo couriers' phones (docs/push.md)
    logins = seed.seed()
    if history:
        past = seed_history()
        if past is not None:
            click.echo(f"The coop's past: {past.days} days, {past.jobs} jobs, {past.runs} "
                       f"offers, {past.shifts} shifts.")
    from courier.demo.slots import plan_ahead

    if planned := plan_ahead():
        click.echo(f"Shifts planned ahead: {planned} slots over the next two weeks (/shifts).")
    click.echo("Demo city: Lyon. Log in with any of these (password: demo):")
    for role, email in logins:
        click.echo(f"  {role:<10} {email}")
    simulator.start(current_app._get_current_object())
    _serve(host, port)


def register_commands(app) -> None:
    """The commands that work on an app, on ``app.cli`` (so tests can invoke them)."""
    for cmd in (run_command, create_user_command, worker_command, demo_command):
        app.cli.add_command(cmd)
    from courier.shops.cli import zones_group

    app.cli.add_command(zones_group)
    from courier.setup.cli import register as register_setup

    register_setup(app)  # courier init, courier rounds tick
