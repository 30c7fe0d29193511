"""Devices: registers and displays, their approval for PIN login, and the login and lock screens' view of itself."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import codes as code_types
from gateway.graphql import configurations as configuration_types
from gateway.graphql import ids, node, prefetch
from gateway.graphql import sessions as session_types
from gateway.graphql import users as user_types
from gateway.graphql.errors import ERRORS, INPUT, UserError, respond
from gateway.graphql.inputs import mutation
from gateway.graphql.loaders import related
from gateway.graphql.pagination import After, Connection, First, connection, nested
from gateway.models import DeviceState
from gateway.services import devices, lock_screen


@strawberry.enum(
    description="A kind of device. Built at start-up from the registered device types: plugins add values."
)
class DeviceType(Enum):
    # Placeholder members; gateway.graphql.schema replaces them with the registered keys.
    POS = "POS"


@strawberry.enum(description="Whether a device may be used.")
class DeviceStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description=(
        "Holds a token from a password login but was never approved; never listed by `devices`."))
    APPROVED = "APPROVED"
    REVOKED = "REVOKED"


@strawberry.type(description="A device type that can be paired, as registered by the core or a plugin.")
class DeviceTypeInfo:
    key: DeviceType = strawberry.field(description="The `DeviceType` value.")
    label: str = strawberry.field(description="Human name, e.g. “Customer display”.")
    supports_pin_login: bool = strawberry.field(description="Staff can log in on it with a PIN.")
    description: str = strawberry.field(description="What the type is for.")



# Types of sibling modules, found when the schema is built: the domain modules refer to each other.
ConfigurationRef = Annotated["Configuration", strawberry.lazy("gateway.graphql.configurations")]
ConnectionCodeRef = Annotated["ConnectionCode", strawberry.lazy("gateway.graphql.codes")]
SessionRef = Annotated["Session", strawberry.lazy("gateway.graphql.sessions")]
UserRef = Annotated["User", strawberry.lazy("gateway.graphql.users")]


@strawberry.type(description="A register or display of the organisation.")
class Device(node.Node):
    model: strawberry.Private[models.Device]
    name: str = strawberry.field(description="Name shown in the device list.")
    device_type: DeviceType = strawberry.field(description="What kind of device it is.")
    approved_at: datetime | None = strawberry.field(description="When it was approved (or paired).")
    created_at: datetime = strawberry.field(description="When the gateway first saw it.")
    last_seen_at: datetime | None = strawberry.field(description="Its last request, to the minute.")
    app_version: str | None = strawberry.field(
        description="The version its app last sent as `X-App-Version`; null until it sends one.")

    @classmethod
    def of(cls, m: models.Device) -> "Device":
        return cls(
            model=m, id=ids.encode("Device", m.id), name=m.name, device_type=m.device_type,
            approved_at=m.approved_at, created_at=m.created_at, last_seen_at=m.last_seen_at,
            app_version=m.app_version,
        )

    @strawberry.field(description="PENDING, APPROVED or REVOKED.")
    def status(self) -> DeviceStatus:
        return DeviceStatus(self.model.state.value)

    @strawberry.field(description=(
        "It made a request in the last 2 minutes, or holds a live connection (`thisDeviceEvents`). "
        "`lastSeenAt` is written once a minute at most, so a device that stops shows offline between 2 "
        "and 3 minutes after its last request; one whose live connection closes, 10 seconds after, "
        "unless it comes back."))
    def online(self) -> bool:
        return devices.is_online(self.model)

    @strawberry.field(description="The configuration it runs.")
    def configuration(self, info: Info) -> ConfigurationRef | None:
        return configuration_types.configuration(info, self.model.configuration_id)

    @strawberry.field(description="The connection code that paired it, if one did.")
    def paired_with(self, info: Info) -> ConnectionCodeRef | None:
        return related(info.context.loaders.code, self.model.paired_with_id, code_types.ConnectionCode.of)

    @strawberry.field(description="Who approved it (for a paired device: who created the code).")
    def approved_by(self, info: Info) -> UserRef | None:
        return user_types.user(info, self.model.approved_by_id)

    @strawberry.field(description="Sessions opened on this device: user, IP address, login time; newest first.")
    def sessions(self, info: Info, active: session_types.ActiveArg = None, first: First = None,
                 after: After = None) -> Connection[SessionRef]:
        return nested(info, info.context.loaders.sessions_by_device, self.model.id, (active,), first, after,
                      session_types.Session.of)


node.register(Device, devices.find)


def device(info: Info, device_id: int | None):
    """The device with this id, through the request's loader (a reference from another object)."""
    return related(info.context.loaders.device, device_id, Device.of)


# The lock screen is read by anyone standing at the register, with the device token alone. So
# these two types copy out the two values it shows and wrap no row: they are not the User or
# Session node (whose every field would then be one access rule away from an anonymous reader),
# and they carry no id that node(id) or a mutation could take.
@strawberry.type(description="The user of a locked session, as its lock screen shows them to whoever is there.")
class LockedSessionUser:
    display_name: str = strawberry.field(description="Their name on screens: \"Locked by Ana\".")


@strawberry.type(description="The session locked on this device: whose it is and since when, and nothing else.")
class LockedSession:
    locked_at: datetime = strawberry.field(description="When it locked.")
    user: LockedSessionUser = strawberry.field(description="Whose session it is: their PIN unlocks it.")


@strawberry.type(description="What a login screen needs to know about the device it runs on.")
class ThisDevice:
    device: strawberry.Private[models.Device | None]
    known: bool = strawberry.field(description="The request carried a device token the gateway knows.")
    approved: bool = strawberry.field(description="An ADMIN or MANAGER approved this device (or a code paired it).")
    pin_login_available: bool = strawberry.field(
        description="Show the PIN pad: approved, a PIN-capable type, and PIN login on in the organisation."
    )
    name: str | None = strawberry.field(description="The device's name, once approved.")
    organisation_name: str | None = strawberry.field(description="Whose device this is.")

    @strawberry.field(description=(
        "Show the lock screen: the session locked on this device (sessionLock, or idle for the organisation's "
        "sessionLockMinutes), whose user's PIN unlocks it; null when none is. No login needed."))
    async def locked_session(self) -> LockedSession | None:
        session = await lock_screen.locked_on(self.device)
        if session is None:
            return None
        return LockedSession(locked_at=session.locked_at,
                             user=LockedSessionUser(display_name=session.user.display_name))


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


@strawberry.input(description="The device to log out.")
class DeviceLogoutInput:
    id: strawberry.ID = strawberry.field(description="The device.")


@strawberry.type(description="A device after a change.")
class DevicePayload:
    device: Device | None = strawberry.field(description="The device, as it is now (or was, once deleted).")
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


@strawberry.type(description="The result of deviceLogout: its sessions ended, it stays approved.")
class DeviceLogoutPayload(DevicePayload):
    pass


@strawberry.type
class Query:
    @strawberry.field(description="This device (X-Device-Token), for the login screen: PIN pad or password form. No login needed.")
    async def this_device(self, info: Info) -> ThisDevice:
        actor = await info.context.actor()
        found = await devices.describe(info.context.runtime, actor.device)
        return ThisDevice(device=actor.device, known=found.known, approved=found.approved,
                          pin_login_available=found.pin_login_available, name=found.name,
                          organisation_name=found.organisation_name)

    @strawberry.field(description="The device types that can be paired (built-in and from plugins).")
    def device_types(self, info: Info) -> list[DeviceTypeInfo]:
        return [
            DeviceTypeInfo(key=s.key, label=s.label, supports_pin_login=s.supports_pin_login, description=s.description)
            for s in info.context.runtime.device_types.values()
        ]

    @strawberry.field(description="Approved and revoked devices (ADMIN, MANAGER); never-approved ones are not listed.")
    async def devices(
        self, info: Info,
        status: Annotated[DeviceStatus | None, strawberry.argument(description="Only devices in this status.")] = None,
        online: Annotated[bool | None, strawberry.argument(
            description="true: only devices seen in the last 2 minutes (see `Device.online`); false: only the others.")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Device]:
        actor = await info.context.actor()
        state = DeviceState(status.value) if status else None
        page = await devices.list_page(actor, state, first, ids.after_id(after), online=online)
        await prefetch.devices(info, page.items)
        return connection(page, Device.of, info.context.loaders)


@strawberry.type
class Mutation:
    @mutation(description="Approve this device (X-Device-Token) for PIN login (ADMIN, MANAGER).")
    async def device_approve(self, info: Info, input: Annotated[DeviceApproveInput, INPUT]) -> DeviceApprovePayload:
        actor = await info.context.actor()
        return await respond(DeviceApprovePayload, "device", devices.approve_this(actor, input.name), Device.of)

    @mutation(description="Answer the approval prompt with no, once or for good (ADMIN, MANAGER).")
    async def device_decline_approval(
        self, info: Info, input: Annotated[DeviceDeclineApprovalInput, INPUT]
    ) -> DeviceDeclineApprovalPayload:
        actor = await info.context.actor()
        return await respond(DeviceDeclineApprovalPayload, "device",
                             devices.decline_approval(actor, input.dont_ask_again), Device.of)

    @mutation(description="Rename an approved or revoked device (ADMIN, MANAGER).")
    async def device_rename(self, info: Info, input: Annotated[DeviceRenameInput, INPUT]) -> DeviceRenamePayload:
        actor = await info.context.actor()
        return await respond(DeviceRenamePayload, "device", devices.rename(actor, ids.key(input.id, "Device"), input.name),
                             Device.of)

    @mutation(description="Revoke a device: PIN login stops and its sessions end (ADMIN, MANAGER).")
    async def device_revoke(self, info: Info, input: Annotated[DeviceRevokeInput, INPUT]) -> DeviceRevokePayload:
        actor = await info.context.actor()
        return await respond(DeviceRevokePayload, "device", devices.revoke(actor, ids.key(input.id, "Device")), Device.of)

    @mutation(description="Delete a device entirely: its token dies and its sessions end (ADMIN, MANAGER).")
    async def device_delete(self, info: Info, input: Annotated[DeviceDeleteInput, INPUT]) -> DeviceDeletePayload:
        actor = await info.context.actor()
        return await respond(DeviceDeletePayload, "device", devices.delete(actor, ids.key(input.id, "Device")), Device.of)

    @mutation(description="Log a device out: every live session on it ends, and it stays approved (ADMIN, MANAGER).")
    async def device_logout(self, info: Info, input: Annotated[DeviceLogoutInput, INPUT]) -> DeviceLogoutPayload:
        actor = await info.context.actor()
        return await respond(DeviceLogoutPayload, "device", devices.logout(actor, ids.key(input.id, "Device")), Device.of)
