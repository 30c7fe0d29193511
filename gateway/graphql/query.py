"""The Query root. Resolvers translate arguments and call services, nothing more."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.graphql import ids, prefetch, types
from gateway.graphql.inputs import UNSTORABLE, storable
from gateway.graphql.pagination import After, Connection, First, connection
from gateway.models import DeviceState, Organisation
from gateway.services import audit, codes, configurations, devices, sessions, users
from gateway.services.errors import ErrorCode, UserErrors, refuse


async def _node(info: Info, global_id: str) -> types.Node | None:
    decoded = ids.decode_any(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    actor = await info.context.actor()
    actor.require_user()
    try:
        if type_name == "Organisation":
            return types.Organisation.of(await Organisation.get(id=actor.organisation_id)) if pk == actor.organisation_id else None
        if type_name == "User":
            return types.User.of(await users.get(actor, pk))
        if type_name == "Configuration":
            return types.Configuration.of(await configurations.get(actor, pk))
        if type_name == "ConnectionCode":
            return types.ConnectionCode.of(await codes.get(actor, pk))
        if type_name == "Device":
            return types.Device.of(await devices.get(actor, pk))
        if type_name == "Session":
            return types.Session.of(await sessions.get(actor, pk))
        if type_name == "AuditEvent":
            return types.AuditEvent.of(await audit.get(actor, pk))
    except UserErrors:
        return None  # NOT_FOUND: foreign and unknown IDs look the same
    return None


@strawberry.type(description="Everything a client can read.")
class Query:
    @strawberry.field(description="Any object by its global ID; null when it does not exist or is not yours.")
    async def node(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]) -> types.Node | None:
        return await _node(info, id)

    @strawberry.field(description="The logged-in user, session and organisation; null when logged out.")
    async def viewer(self, info: Info) -> types.Viewer | None:
        actor = await info.context.actor()
        if actor.user is None:
            return None
        device = actor.device if actor.device and actor.device.organisation_id == actor.organisation_id else None
        return types.Viewer(
            user=types.User.of(actor.user),
            session=types.Session.of(actor.session),
            organisation=types.Organisation.of(actor.session.organisation),
            device=types.Device.of(device) if device else None,
        )

    @strawberry.field(description="The viewer's organisation.")
    async def organisation(self, info: Info) -> types.Organisation:
        actor = await info.context.actor()
        actor.require_user()
        return types.Organisation.of(actor.session.organisation)

    @strawberry.field(description="This device (X-Device-Token), for the login screen: PIN pad or password form. No login needed.")
    async def this_device(self, info: Info) -> types.ThisDevice:
        actor = await info.context.actor()
        found = await devices.describe(info.context.runtime, actor.device)
        return types.ThisDevice(known=found.known, approved=found.approved,
                                pin_login_available=found.pin_login_available, name=found.name,
                                organisation_name=found.organisation_name)

    @strawberry.field(description="Sessions of the organisation (ADMIN, MANAGER), newest first.")
    async def sessions(
        self, info: Info,
        active: Annotated[bool | None, strawberry.argument(description="true: live sessions; false: ended ones.")] = None,
        device_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only the sessions of this device.")] = None,
        user_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only the sessions of this user.")] = None,
        first: First = None, after: After = None,
    ) -> Connection[types.Session]:
        actor = await info.context.actor()
        page = await sessions.list_page(actor, active, first, ids.after_id(after),
                                        device_id=ids.key(device_id, "Device"), user_id=ids.key(user_id, "User"))
        await prefetch.sessions(info, page.items)
        return connection(page, types.Session.of, info.context.loaders)

    @strawberry.field(description="The organisation's audit log (ADMIN, MANAGER), newest first.")
    async def audit_events(
        self, info: Info,
        type: Annotated[str | None, strawberry.argument(description="Only events of this type, e.g. `login.failed`.")] = None,
        first: First = None, after: After = None,
    ) -> Connection[types.AuditEvent]:
        actor = await info.context.actor()
        if type is not None and not storable(type):
            raise refuse(ErrorCode.INVALID, UNSTORABLE, "type")  # BAD_USER_INPUT, before the database sees it
        return connection(await audit.list_page(actor, type, first, ids.after_id(after)), types.AuditEvent.of,
                          info.context.loaders)

    @strawberry.field(description="The device types that can be paired (built-in and from plugins).")
    def device_types(self, info: Info) -> list[types.DeviceTypeInfo]:
        return [
            types.DeviceTypeInfo(key=s.key, label=s.label, supports_pin_login=s.supports_pin_login,
                                 description=s.description)
            for s in info.context.runtime.device_types.values()
        ]

    @strawberry.field(description="Users of the organisation (ADMIN, MANAGER).")
    async def users(self, info: Info, first: First = None,
                    after: After = None) -> Connection[types.User]:
        actor = await info.context.actor()
        page = await users.list_page(actor, first, ids.after_id(after))
        await prefetch.users(info, page.items)
        return connection(page, types.User.of, info.context.loaders)

    @strawberry.field(description="Configurations of the organisation (ADMIN, MANAGER).")
    async def configurations(
        self, info: Info, first: First = None,
        after: After = None,
    ) -> Connection[types.Configuration]:
        actor = await info.context.actor()
        return connection(await configurations.list_page(actor, first, ids.after_id(after)), types.Configuration.of, info.context.loaders)

    @strawberry.field(description="Connection codes of the organisation (ADMIN, MANAGER), oldest first.")
    async def connection_codes(
        self, info: Info,
        status: Annotated[types.ConnectionCodeStatus | None, strawberry.argument(description="Only codes in this status.")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[types.ConnectionCode]:
        actor = await info.context.actor()
        wanted = codes.CodeStatus(status.value) if status else None
        return connection(await codes.list_page(actor, wanted, first, ids.after_id(after)), types.ConnectionCode.of, info.context.loaders)

    @strawberry.field(description="Approved and revoked devices (ADMIN, MANAGER); never-approved ones are not listed.")
    async def devices(
        self, info: Info,
        status: Annotated[types.DeviceStatus | None, strawberry.argument(description="Only devices in this status.")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[types.Device]:
        actor = await info.context.actor()
        state = DeviceState(status.value) if status else None
        page = await devices.list_page(actor, state, first, ids.after_id(after))
        await prefetch.devices(info, page.items)
        return connection(page, types.Device.of, info.context.loaders)
