"""Small helpers shared by the API's blueprints."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint as _Blueprint

from courier.errors import NotFound
from courier.extensions import db

BEARER = [{"bearerAuth": []}]


class Blueprint(_Blueprint):
    """flask-smorest's blueprint, with each arguments schema built once: given a class,
    webargs would build a new instance (copying every field) on every request."""

    def arguments(self, schema, *args, **kwargs):
        return super().arguments(schema() if isinstance(schema, type) else schema,
                                 *args, **kwargs)


MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one names nothing


def get_or_404(model, obj_id: int, what: str | None = None):
    obj = db.session.get(model, obj_id) if 0 <= obj_id <= MAX_ID else None
    if obj is None:
        raise NotFound(f"no {what or model.__name__.lower()} {obj_id}")
    return obj


def user():
    return g.user
