"""Flask extensions, created unbound and bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from courier.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def send_only() -> None:
    """This process only sends live messages (the dispatch worker): with a message queue,
    no thread reads, decodes and drops every message the web processes send each other.
    Call before the first emit."""
    manager = getattr(socketio.server, "manager", None)
    if manager is not None and hasattr(manager, "write_only"):
        manager.write_only = True
