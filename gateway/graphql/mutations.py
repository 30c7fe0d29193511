"""The Mutation root: one ``input`` each, payloads with ``userErrors``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.graphql import ids, types
from gateway.graphql.errors import UserError, user_errors
from gateway.graphql.inputs import mutation
from gateway.graphql.payloads import ERRORS, INPUT, respond
from gateway.services import auth, codes, configurations, devices
from gateway.services.errors import UserErrors


DeviceApprovalPrompt = strawberry.enum(
    devices.Prompt, name="DeviceApprovalPrompt",
    description="After a password login: ask an ADMIN or MANAGER to approve this device (PROMPT), don't "
    "(NOT_NEEDED: approved already, STAFF, or PIN login off), or they said not to ask again (SUPPRESSED).",
)


# -- login -------------------------------------------------------------------

@strawberry.input(description="Username and password.")
class LoginWithPasswordInput:
    username: str = strawberry.field(description="The user's username.")
    password: str = strawberry.field(description="The user's password.")


@strawberry.type(description="The result of a login.")
class LoginPayload:
    token: str | None = strawberry.field(description="Session token, shown once: send it as `Authorization: Bearer`.")
    session: types.Session | None = strawberry.field(description="The new session.")
    user: types.User | None = strawberry.field(description="Who logged in.")
    device_token: str | None = strawberry.field(
        description="A new device token, when the request carried none: send it as `X-Device-Token` from now on."
    )
    device_approval: DeviceApprovalPrompt | None = strawberry.field(
        description="Whether to ask an ADMIN or MANAGER to approve this device for PIN login."
    )
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="A PIN typed on the PIN pad.")
class LoginWithPinInput:
    pin: str = strawberry.field(description="The user's PIN; it alone names the user.")


async def login_payload(info: Info, attempt) -> LoginPayload:
    try:
        result = await attempt
    except UserErrors as exc:
        return LoginPayload(token=None, session=None, user=None, device_token=None, device_approval=None,
                            user_errors=user_errors(exc))
    # The login read these already: a payload asking for session { device user } needs no query.
    info.context.loaders.prime(row for row in (result.device, result.user) if row is not None)
    return LoginPayload(
        token=result.token, session=types.Session.of(result.session), user=types.User.of(result.user),
        device_token=result.device_token, device_approval=result.prompt, user_errors=[],
    )


@strawberry.type(description="The result of a logout.")
class LogoutPayload:
    session: types.Session | None = strawberry.field(description="The session that ended.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


# -- configurations ----------------------------------------------------------

@strawberry.input(description="A new configuration.")
class ConfigurationCreateInput:
    name: str | None = strawberry.field(default=None, description="Required. Unique in the organisation.")
    description: str | None = strawberry.field(default=None, description="Free text.")


@strawberry.input(description="Changes to a configuration; omitted fields stay as they are.")
class ConfigurationUpdateInput:
    id: strawberry.ID = strawberry.field(description="The configuration.")
    name: str | None = strawberry.field(default=None, description="New name.")
    description: str | None = strawberry.field(default=None, description="New description.")


@strawberry.input(description="The configuration to delete.")
class ConfigurationDeleteInput:
    id: strawberry.ID = strawberry.field(description="The configuration.")


@strawberry.type(description="The result of a configuration change.")
class ConfigurationPayload:
    configuration: types.Configuration | None = strawberry.field(description="The configuration, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of configurationCreate.")
class ConfigurationCreatePayload(ConfigurationPayload):
    pass


@strawberry.type(description="The result of configurationUpdate.")
class ConfigurationUpdatePayload(ConfigurationPayload):
    pass


@strawberry.type(description="The result of configurationDelete: the configuration as it was.")
class ConfigurationDeletePayload(ConfigurationPayload):
    pass


# -- connection codes --------------------------------------------------------

@strawberry.input(description="A new connection code. All fields but singleUse are required.")
class ConnectionCodeCreateInput:
    description: str | None = strawberry.field(default=None, description="Required. What it pairs, e.g. “Bar iPad”.")
    device_type: types.DeviceType | None = strawberry.field(default=None, description="Required. The device type.")
    configuration_id: strawberry.ID | None = strawberry.field(default=None, description="Required. The configuration.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="Required. A future instant, at most 365 days ahead (ISO 8601 with offset)."
    )
    single_use: bool = strawberry.field(default=False, description="Pair one device only (default false).")


@strawberry.type(description="The result of creating a connection code.")
class ConnectionCodeCreatePayload:
    connection_code: types.ConnectionCode | None = strawberry.field(description="The new code.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The code to revoke.")
class ConnectionCodeRevokeInput:
    id: strawberry.ID = strawberry.field(description="The code.")
    revoke_devices: bool = strawberry.field(default=False, description="Also revoke every device the code paired.")


@strawberry.type(description="The result of revoking a connection code.")
class ConnectionCodeRevokePayload:
    connection_code: types.ConnectionCode | None = strawberry.field(description="The revoked code.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="A code typed or scanned on a device.")
class DevicePairInput:
    code: str = strawberry.field(description="The code; spaces, dashes and case are ignored.")
    name: str | None = strawberry.field(default=None, description="Name for the device (default: the code's description).")


@strawberry.type(description="The result of pairing: the device token, once.")
class DevicePairPayload:
    device_token: str | None = strawberry.field(description="Shown once: send it as `X-Device-Token` on every request.")
    device: types.Device | None = strawberry.field(description="The new device.")
    configuration: types.Configuration | None = strawberry.field(description="The configuration to run.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="Log in and out; configurations, connection codes and pairing.")
class CoreMutations:
    @mutation(description="Log in with username and password. Issues a device token when the request has none.")
    async def login_with_password(self, info: Info, input: Annotated[LoginWithPasswordInput, INPUT]) -> LoginPayload:
        return await login_payload(info, auth.login_with_password(info.context.client, input.username, input.password))

    @mutation(description="Log in with a PIN alone, on an approved device (X-Device-Token).")
    async def login_with_pin(self, info: Info, input: Annotated[LoginWithPinInput, INPUT]) -> LoginPayload:
        return await login_payload(info, auth.login_with_pin(info.context.runtime, info.context.client, input.pin))

    @mutation(description="End the session of this request.")
    async def logout(self, info: Info) -> LogoutPayload:
        session = await auth.logout(await info.context.actor())
        return LogoutPayload(session=types.Session.of(session), user_errors=[])

    @mutation(description="Create a configuration (ADMIN, MANAGER).")
    async def configuration_create(self, info: Info, input: Annotated[ConfigurationCreateInput, INPUT]) -> ConfigurationCreatePayload:
        actor = await info.context.actor()
        return await respond(ConfigurationCreatePayload, "configuration",
                             configurations.create(actor, input.name or "", input.description), types.Configuration.of)

    @mutation(description="Rename or redescribe a configuration (ADMIN, MANAGER).")
    async def configuration_update(self, info: Info, input: Annotated[ConfigurationUpdateInput, INPUT]) -> ConfigurationUpdatePayload:
        actor = await info.context.actor()
        return await respond(ConfigurationUpdatePayload, "configuration", configurations.update(
            actor, ids.key(input.id, "Configuration"), input.name, input.description), types.Configuration.of)

    @mutation(description="Delete a configuration no active code or approved device uses (ADMIN, MANAGER).")
    async def configuration_delete(self, info: Info, input: Annotated[ConfigurationDeleteInput, INPUT]) -> ConfigurationDeletePayload:
        actor = await info.context.actor()
        return await respond(ConfigurationDeletePayload, "configuration",
                             configurations.delete(actor, ids.key(input.id, "Configuration")), types.Configuration.of)

    @mutation(description="Create a connection code (ADMIN, MANAGER).")
    async def connection_code_create(self, info: Info, input: Annotated[ConnectionCodeCreateInput, INPUT]) -> ConnectionCodeCreatePayload:
        actor = await info.context.actor()
        data = codes.NewCode(
            description=input.description,
            device_type=input.device_type.value if input.device_type else None,
            configuration_id=ids.key(input.configuration_id, "Configuration"),
            expires_at=input.expires_at,
            single_use=input.single_use,
        )
        return await respond(ConnectionCodeCreatePayload, "connection_code",
                             codes.create(actor, info.context.runtime, data), types.ConnectionCode.of)

    @mutation(description="Revoke a connection code, and optionally the devices it paired (ADMIN, MANAGER).")
    async def connection_code_revoke(self, info: Info, input: Annotated[ConnectionCodeRevokeInput, INPUT]) -> ConnectionCodeRevokePayload:
        actor = await info.context.actor()
        return await respond(ConnectionCodeRevokePayload, "connection_code",
                             codes.revoke(actor, ids.key(input.id, "ConnectionCode"), input.revoke_devices),
                             types.ConnectionCode.of)

    @mutation(description="Pair this device with a connection code. Needs no login.")
    async def device_pair(self, info: Info, input: Annotated[DevicePairInput, INPUT]) -> DevicePairPayload:
        try:
            pairing = await codes.pair(info.context.runtime, info.context.client, input.code, input.name)
        except UserErrors as exc:
            return DevicePairPayload(device_token=None, device=None, configuration=None, user_errors=user_errors(exc))
        return DevicePairPayload(
            device_token=pairing.device_token, device=types.Device.of(pairing.device),
            configuration=types.Configuration.of(pairing.configuration), user_errors=[],
        )
