"""API tokens: list yours, make one with chosen scopes, revoke one."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, ValidationError, fields, validate

from courier import tokens
from courier.extensions import db
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("tokens", __name__, description="Your API tokens and their scopes")


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    scopes = fields.Function(lambda t: t.scopes.split(), dump_only=True)
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class TokenCreated(TokenOut):
    token = fields.String(metadata={"description": "The secret: shown once, never again"})


class TokenList(Schema):
    tokens = fields.List(fields.Nested(TokenOut))


class Scopes(fields.Field):
    """Scopes as the documentation writes them, space-separated (``"jobs:read courier"``),
    or as a list of scopes (``["jobs:read", "courier"]``); each is checked by
    ``tokens.parse_scopes``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise ValidationError("space-separated scopes, or a list of scopes")
        if not 1 <= len(value) <= 20:
            raise ValidationError("give 1 to 20 scopes")
        if any(not 1 <= len(s) <= 40 for s in value):
            raise ValidationError("a scope is 1 to 40 characters")
        return value


class TokenIn(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 80))
    scopes = Scopes(load_default=lambda: ["*"], metadata={
        "description": "space-separated (\"jobs:read jobs:write\") or a list; default \"*\"",
        "oneOf": [{"type": "string", "example": "jobs:read jobs:write"},
                  {"type": "array", "items": {"type": "string"}, "minItems": 1,
                   "maxItems": 20}]})


@blp.route("/tokens", methods=["GET"])
@require()
@blp.response(200, TokenList)
@blp.doc(security=BEARER)
def list_tokens():
    """Your tokens, revoked ones included (never their secrets)."""
    return {"tokens": tokens.of(user())}


@blp.route("/tokens", methods=["POST"])
@require()
@blp.arguments(TokenIn)
@blp.response(201, TokenCreated)
@blp.doc(security=BEARER)
def create_token(data):
    """A new token for you, with the scopes given (all by default). Its secret is in
    this answer only."""
    current = g.get("api_token")
    token, secret = tokens.issue(user(), data["name"], data["scopes"],
                                 current.scopes if current is not None else None)
    db.session.commit()
    token.token = secret
    return token


@blp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@require()
@blp.response(200, TokenOut)
@blp.doc(security=BEARER)
def revoke_token(token_id):
    """Revoke one of your tokens; it stops working at once."""
    token = tokens.revoke(user(), token_id)
    db.session.commit()
    return token
