"""The WSGI entry point for production servers: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Configuration comes from ``COURIER_*`` environment variables (see docs/production.md).
Web processes normally leave dispatch cycles to ``courier worker``
(``COURIER_DISPATCH_AUTORUN=false``); with it left on, this process runs them too.
"""

from courier import create_app

app = create_app()

if app.config["DISPATCH_AUTORUN"]:
    from courier.dispatch.scheduler import start_in_background

    start_in_background(app)
