"""gunicorn settings for one Courier web process (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

Socket.IO runs in threading mode with simple-websocket: ONE worker process per gunicorn
instance (a Socket.IO session must always reach the process that holds it), many threads
(each open websocket holds one). Run several instances on several ports behind nginx with
sticky sessions (deploy/nginx.conf) for more processes. Every value can be overridden
with the usual ``GUNICORN_CMD_ARGS`` or command-line flags.
"""

import os
import re

bind = os.environ.get("COURIER_BIND", "127.0.0.1:8001")
workers = 1  # never more: Socket.IO sessions live in the process (use more instances)
worker_class = "gthread"  # threading async_mode; NOT eventlet (unmaintained, removed)
threads = int(os.environ.get("COURIER_THREADS", "300"))  # each websocket holds one thread
timeout = 60  # seconds a request may run before the worker is recycled
graceful_timeout = 20
keepalive = 5
max_requests = 0  # recycling would drop every websocket of the process
accesslog = os.environ.get("COURIER_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
loglevel = os.environ.get("COURIER_LOG_LEVEL", "info")
# The longest request line gunicorn reads (its maximum, 8190 bytes; default 4094) and the
# longest header line: the app answers a target over COURIER_MAX_URL_LENGTH (4096) itself,
# in JSON on the API, so it has to see it. Beyond these, gunicorn's own HTML 414 or 400
# (nginx, in front, has the same 8 KB buffers: deploy/nginx.conf).
limit_request_line = 8190
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("COURIER_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "courier-web"


def _control_socket(bind: str) -> str:
    """This instance's own control socket (for ``gunicornc``), named after its address.

    gunicorn's default is one path per user: a second instance on the same machine takes
    it over from the first, and whichever stops first removes the other's. The directory
    is ``COURIER_CONTROL_SOCKET_DIR``, else gunicorn's own ($XDG_RUNTIME_DIR, or
    ~/.gunicorn).
    """
    folder = os.environ.get("COURIER_CONTROL_SOCKET_DIR")
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not folder:
        folder = runtime if runtime and os.path.isdir(runtime) else os.path.expanduser(
            "~/.gunicorn")
    return os.path.join(folder, "courier-web-" + re.sub(r"[^A-Za-z0-9.-]+", "_", bind) + ".ctl")


control_socket = _control_socket(bind)


def post_worker_init(worker):
    """Move everything the app allocated at start-up out of the garbage collector's reach.

    The application's modules, mappers and schemas are some 200,000 objects that live as
    long as the process. Left tracked, every full collection walks all of them, holding the
    interpreter lock for tens of milliseconds in the middle of requests; frozen, the
    collector only looks at what requests allocate.
    """
    import gc

    gc.collect()
    gc.freeze()
