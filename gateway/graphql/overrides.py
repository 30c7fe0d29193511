"""Manager overrides: the actions a manager approves with their PIN, the approval, its redemption."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import devices as device_types
from gateway.graphql import ids, node
from gateway.graphql import users as user_types
from gateway.graphql.errors import ERRORS, INPUT, UserError, respond, user_errors
from gateway.graphql.inputs import mutation
from gateway.graphql.users import Role
from gateway.services import overrides
from gateway.services.errors import UserErrors

# Types of sibling modules, found when the schema is built: the domain modules refer to each other.
DeviceRef = Annotated["Device", strawberry.lazy("gateway.graphql.devices")]
UserRef = Annotated["User", strawberry.lazy("gateway.graphql.users")]


@strawberry.enum(description=(
    "A restricted action a manager approves with their PIN. Built at start-up from the registered override "
    "actions: plugins add values."))
class OverrideAction(Enum):
    # Placeholder member; gateway.graphql.schema replaces it with the registered keys.
    REFUND = "REFUND"


@strawberry.type(description="An override action, as registered by the core or a plugin.")
class OverrideActionInfo:
    key: OverrideAction = strawberry.field(description="The `OverrideAction` value.")
    label: str = strawberry.field(description="Human name, e.g. “Refund”.")
    approver_roles: list[Role] = strawberry.field(
        description="Whose PIN approves it: a user with one of these roles (never the requester).")


@strawberry.type(description="A manager's approval of one restricted action on a register, redeemable once.")
class Override(node.Node):
    model: strawberry.Private[models.Override]
    action: OverrideAction = strawberry.field(description="What was approved.")
    reason: str = strawberry.field(description="Why, as the register gave it (may be empty).")
    created_at: datetime = strawberry.field(description="When it was approved.")
    expires_at: datetime = strawberry.field(description="Its token cannot be redeemed from this instant on.")
    redeemed_at: datetime | None = strawberry.field(description="When its token was redeemed; null until then.")

    @classmethod
    def of(cls, m: models.Override) -> "Override":
        return cls(model=m, id=ids.encode("Override", m.id), action=m.action, reason=m.reason,
                   created_at=m.created_at, expires_at=m.expires_at, redeemed_at=m.redeemed_at)

    @strawberry.field(description="Who asked: the user logged in on the register.")
    def requested_by(self, info: Info) -> UserRef | None:
        return user_types.user(info, self.model.requested_by_id)

    @strawberry.field(description="Whose PIN approved it.")
    def approved_by(self, info: Info) -> UserRef | None:
        return user_types.user(info, self.model.approved_by_id)

    @strawberry.field(description="Who redeemed its token, once someone has.")
    def redeemed_by(self, info: Info) -> UserRef | None:
        return user_types.user(info, self.model.redeemed_by_id)

    @strawberry.field(description="The register it was approved on, if it still exists.")
    def device(self, info: Info) -> DeviceRef | None:
        return device_types.device(info, self.model.device_id)


node.register(Override, overrides.find)


@strawberry.input(description="A manager's PIN, typed on the register where the requester is logged in.")
class OverrideApproveInput:
    pin: str = strawberry.field(description="The approver's PIN: someone other than the requester, in one of the "
                                            "action's approver roles.")
    action: OverrideAction | None = strawberry.field(default=None, description="Required. What is approved.")
    reason: str | None = strawberry.field(default=None, description="Why, in a few words (at most 500 characters).")


@strawberry.input(description="An override token to consume.")
class OverrideRedeemInput:
    token: str | None = strawberry.field(default=None, description="Required. The `overrideToken` of overrideApprove.")


@strawberry.type(description="The result of overrideApprove.")
class OverrideApprovePayload:
    override: Override | None = strawberry.field(description="The approval.")
    override_token: str | None = strawberry.field(
        description="Shown once; redeem it with overrideRedeem within 60 seconds, once.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of overrideRedeem.")
class OverrideRedeemPayload:
    override: Override | None = strawberry.field(description="The override just consumed: go ahead with its action.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class Query:
    @strawberry.field(description="The actions a manager can approve with their PIN (built-in and from plugins).")
    async def override_actions(self, info: Info) -> list[OverrideActionInfo]:
        (await info.context.actor()).require_user()
        return [OverrideActionInfo(key=spec.key, label=spec.label, approver_roles=list(spec.approver_roles))
                for spec in info.context.runtime.override_actions.values()]


@strawberry.type
class Mutation:
    @mutation(description=(
        "Approve one action with a manager's PIN, typed on the register (X-Device-Token) where the requester "
        "is logged in. A wrong PIN counts against the register's PIN budget as a wrong login PIN does."))
    async def override_approve(self, info: Info, input: Annotated[OverrideApproveInput, INPUT]) -> OverrideApprovePayload:
        actor = await info.context.actor()
        action = input.action.value if input.action else None
        try:
            approval = await overrides.approve(info.context.runtime, actor, input.pin, action, input.reason)
        except UserErrors as exc:
            return OverrideApprovePayload(override=None, override_token=None, user_errors=user_errors(exc))
        return OverrideApprovePayload(override=Override.of(approval.override), override_token=approval.token,
                                      user_errors=[])

    @mutation(description="Consume an override token: it succeeds once, for any session of the organisation.")
    async def override_redeem(self, info: Info, input: Annotated[OverrideRedeemInput, INPUT]) -> OverrideRedeemPayload:
        actor = await info.context.actor()
        return await respond(OverrideRedeemPayload, "override", overrides.redeem(actor, input.token), Override.of)
