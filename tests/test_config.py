"""Configuration order, the embedded default, and production refusals."""

import os
import subprocess
import sys

import pytest

from courier import create_app
from courier.config import DEFAULTS, DEV_SECRET, SettingError, check_values


def test_env_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("COURIER_OFFER_TTL", "45")
    monkeypatch.setenv("COURIER_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    app = create_app()
    assert app.config["OFFER_TTL"] == 45
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.sqlite"
    from courier.extensions import db

    with app.app_context():  # migrated on first start
        assert "jobs" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("COURIER_DATABASE_URL", raising=False)
    from courier.config import database_uri

    assert database_uri({}, "/srv/instance") == "sqlite:////srv/instance/courier.sqlite"
    assert database_uri({"DATABASE_URL": "postgresql://h/db"}, "/x").startswith(
        "postgresql+psycopg://")


@pytest.mark.parametrize("secret", [DEV_SECRET, "", "short"])
def test_production_refuses_a_weak_secret(secret, tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": secret, "AUTO_MIGRATE": False,
                    "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"})


def test_production_sets_secure_cookies(tmp_path):
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "AUTO_MIGRATE": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_an_app_without_a_message_queue_does_not_inherit_one_built_before(tmp_path):
    import socketio as sio

    from courier.extensions import socketio

    base = {"AUTO_MIGRATE": False, "DATABASE_URL": f"sqlite:///{tmp_path}/q.sqlite"}
    create_app({**base, "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0"})
    assert isinstance(socketio.server.manager, sio.RedisManager)
    create_app(base)
    assert not isinstance(socketio.server.manager, sio.PubSubManager)


def test_a_send_only_process_reads_nothing_from_the_message_queue(tmp_path):
    import socketio as sio

    from courier.extensions import send_only, socketio

    create_app({"AUTO_MIGRATE": False, "DATABASE_URL": f"sqlite:///{tmp_path}/q.sqlite",
                "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
                "SOCKETIO_CHANNEL": "send-only-test"})
    manager = socketio.server.manager
    assert isinstance(manager, sio.RedisManager) and not manager.write_only
    send_only()
    socketio.emit("job.updated", {"id": 1}, to="dispatch")
    assert manager.write_only and getattr(manager, "thread", None) is None


def test_gunicorn_worker_freezes_what_start_up_allocated():
    import gc
    import runpy
    from pathlib import Path

    settings = runpy.run_path(str(Path(__file__).parents[1] / "deploy" / "gunicorn.conf.py"))
    assert settings["workers"] == 1 and settings["worker_class"] == "gthread"
    gc.unfreeze()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 1000  # the test session's modules, at least
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("name, value, said", [
    ("DISPATCH_RESERVE_S", "5m", "must be a whole number, not '5m'"),
    ("OFFER_TTL", 2.5, "must be a whole number, not 2.5"),
    ("OFFER_TTL", 0, "must be above 0, not 0"),
    ("DISPATCH_HOLD_S", -60, "must be 0 or more, not -60"),
    ("DISPATCH_TIME_LIMIT", None, "must be a number, not None"),
    ("BIKE_SPEED_KMH", True, "must be a number, not True"),
    ("DISPATCH_AUTORUN", "yes", "must be true or false, not 'yes'"),
    ("MESSAGE_MAX_ATTEMPTS", "six", "must be a whole number"),
])
def test_a_setting_of_the_wrong_kind_is_refused_at_start_naming_it(name, value, said, tmp_path):
    with pytest.raises(SettingError, match=f"COURIER_{name} {said}"):
        create_app({name: value, "AUTO_MIGRATE": False,
                    "DATABASE_URL": f"sqlite:///{tmp_path}/s.sqlite"})


def test_zero_is_taken_where_it_means_never_and_a_whole_number_where_a_number_is(tmp_path):
    app = create_app({"DISPATCH_HOLD_S": 0, "DISPATCH_TIME_LIMIT": 2, "AUTO_MIGRATE": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/z.sqlite"})
    assert (app.config["DISPATCH_HOLD_S"], app.config["DISPATCH_TIME_LIMIT"]) == (0, 2)
    check_values(DEFAULTS)  # the shipped defaults are settings the app runs with


def test_the_command_says_which_setting_is_wrong_in_one_line(tmp_path):
    env = {**os.environ, "COURIER_OFFER_TTL": "2min",
           "COURIER_DATABASE_URL": f"sqlite:///{tmp_path}/c.sqlite"}
    out = subprocess.run([sys.executable, "-m", "courier", "routes"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip() == "Error: COURIER_OFFER_TTL must be a whole number, not '2min'"
