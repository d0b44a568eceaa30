"""The coop's members, as the council manages them: a member's role, or their leaving."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from courier import accounts
from courier.extensions import db
from courier.models import Role, User
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require
from courier.web.sockets import end_page_sockets

blp = Blueprint("members", __name__, description="The coop's members (the council)")


class MemberOut(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.Function(lambda u: u.role.value, dump_only=True)
    active = fields.Boolean()


class MemberPatch(Strict):
    role = fields.String(validate=validate.OneOf([r.value for r in accounts.MEMBER_ROLES]))
    active = fields.Boolean(metadata={"description": "false: the member leaves the coop"})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give role or active", "_schema")


@blp.route("/members/<int:user_id>", methods=["PATCH"])
@require(Role.COUNCIL)
@blp.arguments(MemberPatch)
@blp.response(200, MemberOut)
@blp.doc(security=BEARER)
def change_member(data, user_id):
    """Change a member's role (courier, dispatcher, council), or remove them from the
    coop (``active: false``). Either ends every session of theirs at once, pages and live
    connections; their API tokens keep working while they stay a member (a removed
    member's tokens stop with them). A courier on shift goes off shift first; the coop
    keeps at least one council member (409)."""
    member = accounts.change_member(user(), get_or_404(User, user_id, "member"),
                                    data.get("role"), data.get("active"))
    db.session.commit()
    end_page_sockets(member.id)
    return member
