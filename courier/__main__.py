"""The ``courier`` command (and ``python -m courier``): the app's commands (see
:mod:`courier.cli`), Flask's ``routes`` and ``shell``, and the benchmarks.

Its help lists the product's commands only: not Flask's options for finding an app
(``-A/--app``, ``-e/--env-file``, ``--debug``: the app is always Courier, its settings
come from ``COURIER_*`` variables), nor the extensions' maintenance commands, which stay
available by name (``courier openapi``, ``courier limiter``)."""

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from courier import create_app
from courier.config import SettingError

FLASK_OPTIONS = {"env_file", "app", "debug"}
UNLISTED = {"limiter", "openapi"}  # the extensions' own commands


def _app(test_config: dict | None = None):
    """The app (see :func:`courier.create_app`), or a one-line error naming the setting it
    cannot run with."""
    try:
        return create_app(test_config)
    except SettingError as err:
        raise click.ClickException(str(err)) from None


class CourierGroup(FlaskGroup):
    def __init__(self, **kwargs):
        super().__init__(create_app=_app, add_default_commands=False,
                         add_version_option=False, load_dotenv=False, set_debug_flag=False,
                         **kwargs)
        self.params = [p for p in self.params if p.name not in FLASK_OPTIONS]
        for cmd in (routes_command, shell_command):
            self.add_command(cmd)
        try:
            from courier.bench import bench
        except ImportError:  # pragma: no cover - the bench package is optional at import
            bench = None
        if bench is not None:
            from courier.demo.backtest import forecast_command

            bench.add_command(forecast_command)  # the forecast back-tested on the demo's past
            self.add_command(bench)

    def list_commands(self, ctx):
        return [name for name in super().list_commands(ctx) if name not in UNLISTED]


main = CourierGroup(help="Courier: dispatch for bike-courier cooperatives.")


if __name__ == "__main__":
    main()
