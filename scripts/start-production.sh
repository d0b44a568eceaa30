#!/usr/bin/env bash
# Start Courier in production without systemd: migrate, then N web processes (one gunicorn
# instance per port, for nginx's sticky upstream) and one dispatch worker. Stops them all on
# Ctrl-C or SIGTERM; if any of them dies, stops the rest and exits non-zero, so that a
# supervisor (docker, runit, a CI job) restarts the whole set.
#
#   COURIER_ENV=production COURIER_SECRET_KEY=... COURIER_DATABASE_URL=postgresql://... \
#   COURIER_SOCKETIO_MESSAGE_QUEUE=redis://127.0.0.1:6379/0 scripts/start-production.sh
#
# Options (environment): COURIER_WEB_PORTS (default "8001 8002"), COURIER_HOST (127.0.0.1),
# COURIER_VENV (the virtualenv holding courier and gunicorn; default .venv beside this repo).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${COURIER_VENV:-.venv}"
PORTS="${COURIER_WEB_PORTS:-8001 8002}"
HOST="${COURIER_HOST:-127.0.0.1}"
nports=$(wc -w <<<"$PORTS")

if [[ "$nports" -gt 1 && -z "${COURIER_SOCKETIO_MESSAGE_QUEUE:-}" ]]; then
  echo "several web processes need COURIER_SOCKETIO_MESSAGE_QUEUE=redis://..." >&2
  exit 2
fi
export COURIER_DISPATCH_AUTORUN=false  # cycles run in the worker only
export COURIER_AUTO_MIGRATE=false      # migrated once, here

"$VENV/bin/courier" db upgrade

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop INT TERM EXIT

for port in $PORTS; do
  COURIER_BIND="$HOST:$port" "$VENV/bin/gunicorn" -c deploy/gunicorn.conf.py wsgi:app &
  pids+=($!)
done
"$VENV/bin/courier" worker &
pids+=($!)

status=0
wait -n "${pids[@]}" || status=$?
echo "a Courier process exited (status $status): stopping the others" >&2
exit "$status"
