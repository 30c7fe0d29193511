"""Mutations for users, the organisation, sessions and approved devices."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import ids, types
from gateway.graphql.errors import UserError, user_errors
from gateway.graphql.inputs import mutation
from gateway.graphql.payloads import ERRORS, INPUT, respond
from gateway.services import devices, organisations, sessions, users
from gateway.services.errors import UserErrors


# -- users -------------------------------------------------------------------

@strawberry.input(description="A new user. A method that needs a password or a PIN cannot be saved without one.")
class UserCreateInput:
    username: str | None = strawberry.field(default=None, description="Required. Unique across the gateway.")
    display_name: str | None = strawberry.field(default=None, description="Shown on screens (default: the username).")
    role: types.Role | None = strawberry.field(default=None, description="Required. A MANAGER cannot create an ADMIN.")
    login_method: types.LoginMethod | None = strawberry.field(default=None, description="Default PASSWORD.")
    password: str | None = strawberry.field(default=None, description="At least 8 characters.")
    pin: str | None = strawberry.field(default=None, description="A PIN that follows the organisation's rules.")
    generate_pin: bool = strawberry.field(default=False, description="Let the server choose a unique PIN (returned once).")


@strawberry.input(description="Changes to a user; omitted fields stay as they are.")
class UserUpdateInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    display_name: str | None = strawberry.field(default=None, description="New display name.")
    role: types.Role | None = strawberry.field(default=None, description="New role.")
    login_method: types.LoginMethod | None = strawberry.field(default=None, description="New login method.")
    password: str | None = strawberry.field(default=None, description="New password.")
    pin: str | None = strawberry.field(default=None, description="New PIN.")
    generate_pin: bool = strawberry.field(default=False, description="Let the server choose a new PIN (returned once).")


@strawberry.input(description="The user to delete; their sessions end.")
class UserDeleteInput:
    id: strawberry.ID = strawberry.field(description="The user.")


@strawberry.type(description="The result of userCreate.")
class UserCreatePayload:
    user: types.User | None = strawberry.field(description="The new user.")
    generated_pin: str | None = strawberry.field(description="The generated PIN, shown this once.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of userUpdate.")
class UserUpdatePayload:
    user: types.User | None = strawberry.field(description="The user, as it is now.")
    generated_pin: str | None = strawberry.field(description="The generated PIN, shown this once.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of userDelete.")
class UserDeletePayload:
    user: types.User | None = strawberry.field(description="The deleted user.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


def _changes(input) -> users.UserChanges:
    return users.UserChanges(
        username=getattr(input, "username", None), display_name=input.display_name,
        role=models.Role(input.role.value) if input.role else None,
        login_method=models.LoginMethod(input.login_method.value) if input.login_method else None,
        password=input.password, pin=input.pin, generate_pin=input.generate_pin,
    )


async def _user_payload(payload, change):
    try:
        user, pin = await change
    except UserErrors as exc:
        return payload(user=None, generated_pin=None, user_errors=user_errors(exc))
    return payload(user=types.User.of(user), generated_pin=pin, user_errors=[])


# -- organisation and sessions -----------------------------------------------

@strawberry.input(description="Organisation settings; omitted fields stay as they are.")
class OrganisationUpdateInput:
    name: str | None = strawberry.field(default=None, description="Display name.")
    pin_login_enabled: bool | None = strawberry.field(default=None, description="Allow PIN login on approved devices.")
    session_idle_minutes: int | None = strawberry.field(default=None, description="Idle timeout, 1 to 1440 minutes.")
    session_max_hours: int | None = strawberry.field(default=None, description="Absolute lifetime, 1 to 168 hours.")


@strawberry.type(description="The result of organisationUpdate.")
class OrganisationUpdatePayload:
    organisation: types.Organisation | None = strawberry.field(description="The organisation, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The session to end.")
class SessionEndInput:
    id: strawberry.ID = strawberry.field(description="The session.")


@strawberry.type(description="The result of sessionEnd.")
class SessionEndPayload:
    session: types.Session | None = strawberry.field(description="The ended session.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


# -- devices -----------------------------------------------------------------

@strawberry.input(description="Approve the device of this request for PIN login.")
class DeviceApproveInput:
    name: str | None = strawberry.field(default=None, description="Required. The name the device list shows.")


@strawberry.input(description="Decline the approval prompt for the device of this request.")
class DeviceDeclineApprovalInput:
    dont_ask_again: bool = strawberry.field(
        default=False, description="Never prompt again on this device (approve from settings instead)."
    )


@strawberry.input(description="A new name for a device.")
class DeviceRenameInput:
    id: strawberry.ID = strawberry.field(description="The device.")
    name: str | None = strawberry.field(default=None, description="Required. The new name.")


@strawberry.input(description="The device to revoke.")
class DeviceRevokeInput:
    id: strawberry.ID = strawberry.field(description="The device.")


@strawberry.input(description="The device to delete.")
class DeviceDeleteInput:
    id: strawberry.ID = strawberry.field(description="The device.")


@strawberry.type(description="A device after a change.")
class DevicePayload:
    device: types.Device | None = strawberry.field(description="The device, as it is now (or was, once deleted).")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of deviceApprove.")
class DeviceApprovePayload(DevicePayload):
    pass


@strawberry.type(description="The result of deviceDeclineApproval.")
class DeviceDeclineApprovalPayload(DevicePayload):
    pass


@strawberry.type(description="The result of deviceRename.")
class DeviceRenamePayload(DevicePayload):
    pass


@strawberry.type(description="The result of deviceRevoke: its sessions ended.")
class DeviceRevokePayload(DevicePayload):
    pass


@strawberry.type(description="The result of deviceDelete: the device is gone, its sessions ended.")
class DeviceDeletePayload(DevicePayload):
    pass


@strawberry.type(description="Users, organisation settings, sessions and devices.")
class AdminMutations:
    @mutation(description="Create a user (ADMIN, MANAGER).")
    async def user_create(self, info: Info, input: Annotated[UserCreateInput, INPUT]) -> UserCreatePayload:
        actor = await info.context.actor()
        return await _user_payload(UserCreatePayload, users.create(actor, info.context.runtime, _changes(input)))

    @mutation(description="Change a user (ADMIN, MANAGER).")
    async def user_update(self, info: Info, input: Annotated[UserUpdateInput, INPUT]) -> UserUpdatePayload:
        actor = await info.context.actor()
        return await _user_payload(UserUpdatePayload, users.update(
            actor, info.context.runtime, ids.key(input.id, "User"), _changes(input)))

    @mutation(description="Delete a user and end their sessions (ADMIN, MANAGER).")
    async def user_delete(self, info: Info, input: Annotated[UserDeleteInput, INPUT]) -> UserDeletePayload:
        actor = await info.context.actor()
        return await respond(UserDeletePayload, "user", users.delete(actor, ids.key(input.id, "User")), types.User.of)

    @mutation(description="Change organisation settings, PIN login among them (ADMIN, MANAGER).")
    async def organisation_update(
        self, info: Info, input: Annotated[OrganisationUpdateInput, INPUT]
    ) -> OrganisationUpdatePayload:
        actor = await info.context.actor()
        change = organisations.update(actor, input.name, input.pin_login_enabled, input.session_idle_minutes,
                                      input.session_max_hours)
        return await respond(OrganisationUpdatePayload, "organisation", change, types.Organisation.of)

    @mutation(description="End a session now (ADMIN, MANAGER).")
    async def session_end(self, info: Info, input: Annotated[SessionEndInput, INPUT]) -> SessionEndPayload:
        actor = await info.context.actor()
        return await respond(SessionEndPayload, "session", sessions.end_by_admin(actor, ids.key(input.id, "Session")),
                             types.Session.of)

    @mutation(description="Approve this device (X-Device-Token) for PIN login (ADMIN, MANAGER).")
    async def device_approve(self, info: Info, input: Annotated[DeviceApproveInput, INPUT]) -> DeviceApprovePayload:
        actor = await info.context.actor()
        return await respond(DeviceApprovePayload, "device", devices.approve_this(actor, input.name), types.Device.of)

    @mutation(description="Answer the approval prompt with no, once or for good (ADMIN, MANAGER).")
    async def device_decline_approval(
        self, info: Info, input: Annotated[DeviceDeclineApprovalInput, INPUT]
    ) -> DeviceDeclineApprovalPayload:
        actor = await info.context.actor()
        return await respond(DeviceDeclineApprovalPayload, "device",
                             devices.decline_approval(actor, input.dont_ask_again), types.Device.of)

    @mutation(description="Rename an approved or revoked device (ADMIN, MANAGER).")
    async def device_rename(self, info: Info, input: Annotated[DeviceRenameInput, INPUT]) -> DeviceRenamePayload:
        actor = await info.context.actor()
        return await respond(DeviceRenamePayload, "device", devices.rename(actor, ids.key(input.id, "Device"), input.name),
                             types.Device.of)

    @mutation(description="Revoke a device: PIN login stops and its sessions end (ADMIN, MANAGER).")
    async def device_revoke(self, info: Info, input: Annotated[DeviceRevokeInput, INPUT]) -> DeviceRevokePayload:
        actor = await info.context.actor()
        return await respond(DeviceRevokePayload, "device", devices.revoke(actor, ids.key(input.id, "Device")),
                             types.Device.of)

    @mutation(description="Delete a device entirely: its token dies and its sessions end (ADMIN, MANAGER).")
    async def device_delete(self, info: Info, input: Annotated[DeviceDeleteInput, INPUT]) -> DeviceDeletePayload:
        actor = await info.context.actor()
        return await respond(DeviceDeletePayload, "device", devices.delete(actor, ids.key(input.id, "Device")),
                             types.Device.of)
