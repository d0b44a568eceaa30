"""The ``courier`` command (and ``python -m courier``): the app's commands (see
:mod:`courier.cli`), Flask's ``routes`` and ``shell``, and the benchmarks."""

from flask.cli import FlaskGroup, routes_command, shell_command

from courier import create_app


class CourierGroup(FlaskGroup):
    def __init__(self, **kwargs):
        super().__init__(create_app=create_app, add_default_commands=False,
                         add_version_option=False, load_dotenv=False, set_debug_flag=False,
                         **kwargs)
        for cmd in (routes_command, shell_command):
            self.add_command(cmd)
        try:
            from courier.bench import bench
        except ImportError:  # pragma: no cover - the bench package is optional at import
            bench = None
        if bench is not None:
            self.add_command(bench)


main = CourierGroup(help="Courier: dispatch for bike-courier cooperatives.")


if __name__ == "__main__":
    main()
