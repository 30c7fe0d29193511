"""Connection codes: created and revoked by ADMIN and MANAGER, redeemed by a device to pair itself."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import access, ids, node
from gateway.graphql import configurations as configuration_types
from gateway.graphql import devices as device_types
from gateway.graphql import users as user_types
from gateway.graphql.errors import ERRORS, INPUT, UserError, respond, user_errors
from gateway.graphql.inputs import mutation
from gateway.graphql.pagination import After, Connection, First, connection, nested
from gateway.services import codes, qr
from gateway.services.errors import UserErrors

ConnectionCodeStatus = strawberry.enum(codes.CodeStatus, name="ConnectionCodeStatus",
                                       description="Where a connection code is in its life.")

# Types of sibling modules, found when the schema is built: the domain modules refer to each other.
ConfigurationRef = Annotated["Configuration", strawberry.lazy("gateway.graphql.configurations")]
DeviceRef = Annotated["Device", strawberry.lazy("gateway.graphql.devices")]
DeviceTypeRef = Annotated["DeviceType", strawberry.lazy("gateway.graphql.devices")]
UserRef = Annotated["User", strawberry.lazy("gateway.graphql.users")]


@strawberry.enum(description="How `qrCode` is returned.")
class QrFormat(Enum):
    SVG = "SVG"
    PNG = "PNG"


@strawberry.type(description="A code that pairs devices with the organisation. Immutable: it can only be revoked.")
class ConnectionCode(node.Node):
    model: strawberry.Private[models.ConnectionCode]
    description: str = strawberry.field(description="What the code is for, e.g. “Bar iPad”.")
    device_type: DeviceTypeRef = strawberry.field(description="The type of the devices it pairs.")
    expires_at: datetime = strawberry.field(description="After this instant the code pairs nothing.")
    single_use: bool = strawberry.field(description="The code pairs one device only.")
    use_count: int = strawberry.field(description="How many devices it paired.")
    last_paired_at: datetime | None = strawberry.field(description="When it last paired a device, if it did.")
    created_at: datetime = strawberry.field(description="When it was created.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")

    @classmethod
    def of(cls, m: models.ConnectionCode) -> "ConnectionCode":
        return cls(
            model=m, id=ids.encode("ConnectionCode", m.id), description=m.description, device_type=m.device_type,
            expires_at=m.expires_at, single_use=m.single_use, use_count=m.use_count,
            last_paired_at=m.last_paired_at, created_at=m.created_at, revoked_at=m.revoked_at,
        )

    @strawberry.field(description="ACTIVE, USED (single use, redeemed), EXPIRED or REVOKED, as of now.")
    def status(self) -> ConnectionCodeStatus:
        return codes.status(self.model)

    @strawberry.field(description="The value to type, grouped for reading, e.g. `4821-0937-5562`.")
    def code(self) -> str:
        return codes.display(self.model.value)

    @strawberry.field(description="The URI a device app opens: carries the code and this server's public URL.")
    def pairing_uri(self, info: Info) -> str:
        return codes.pairing_uri(info.context.runtime, self.model.value)

    @strawberry.field(description="The pairing URI as a QR code: SVG markup, or a PNG `data:` URI.")
    def qr_code(
        self,
        info: Info,
        format: Annotated[QrFormat, strawberry.argument(description="SVG markup or a PNG data URI.")] = QrFormat.SVG,
        scale: Annotated[int | None, strawberry.argument(description="Pixels per module, 1 to 20 (default 4).")] = None,
    ) -> str:
        return qr.render(codes.pairing_uri(info.context.runtime, self.model.value), format.value, scale)

    @strawberry.field(description="The configuration paired devices run.")
    def configuration(self, info: Info) -> ConfigurationRef | None:
        return configuration_types.configuration(info, self.model.configuration_id)

    @strawberry.field(description="Who created the code.")
    def created_by(self, info: Info) -> UserRef | None:
        return user_types.user(info, self.model.created_by_id)

    @strawberry.field(description="The devices this code paired (approved or revoked), oldest first.")
    def devices(self, info: Info, first: First = None, after: After = None) -> Connection[DeviceRef]:
        return nested(info, info.context.loaders.devices_by_code, self.model.id, (), first, after,
                      device_types.Device.of)


node.register(ConnectionCode, codes.find)


@strawberry.input(description="A new connection code. All fields but singleUse are required.")
class ConnectionCodeCreateInput:
    description: str | None = strawberry.field(default=None, description="Required. What it pairs, e.g. “Bar iPad”.")
    device_type: DeviceTypeRef | None = strawberry.field(default=None, description="Required. The device type.")
    configuration_id: strawberry.ID | None = strawberry.field(default=None, description="Required. The configuration.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="Required. A future instant, at most 365 days ahead (ISO 8601 with offset)."
    )
    single_use: bool = strawberry.field(default=False, description="Pair one device only (default false).")


@strawberry.type(description="The result of creating a connection code.")
class ConnectionCodeCreatePayload:
    connection_code: ConnectionCode | None = strawberry.field(description="The new code.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The code to revoke.")
class ConnectionCodeRevokeInput:
    id: strawberry.ID = strawberry.field(description="The code.")
    revoke_devices: bool = strawberry.field(default=False, description="Also revoke every device the code paired.")


@strawberry.type(description="The result of revoking a connection code.")
class ConnectionCodeRevokePayload:
    connection_code: ConnectionCode | None = strawberry.field(description="The revoked code.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="A code typed or scanned on a device.")
class DevicePairInput:
    code: str = strawberry.field(description="The code; spaces, dashes and case are ignored.")
    name: str | None = strawberry.field(default=None, description="Name for the device (default: the code's description).")


@strawberry.type(description="The result of pairing: the device token, once.")
class DevicePairPayload:
    device_token: str | None = strawberry.field(description="Shown once: send it as `X-Device-Token` on every request.")
    device: DeviceRef | None = strawberry.field(description="The new device.")
    configuration: ConfigurationRef | None = strawberry.field(description="The configuration to run.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class Query:
    @strawberry.field(description="Connection codes of the organisation (ADMIN, MANAGER), oldest first.")
    async def connection_codes(
        self, info: Info,
        status: Annotated[ConnectionCodeStatus | None, strawberry.argument(description="Only codes in this status.")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[ConnectionCode]:
        actor = await info.context.actor()
        wanted = codes.CodeStatus(status.value) if status else None
        return connection(await codes.list_page(actor, wanted, first, ids.after_id(after)), ConnectionCode.of,
                          info.context.loaders)


@strawberry.type
class Mutation:
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
                             codes.create(actor, info.context.runtime, data), ConnectionCode.of)

    @mutation(description="Revoke a connection code, and optionally the devices it paired (ADMIN, MANAGER).")
    async def connection_code_revoke(self, info: Info, input: Annotated[ConnectionCodeRevokeInput, INPUT]) -> ConnectionCodeRevokePayload:
        actor = await info.context.actor()
        return await respond(ConnectionCodeRevokePayload, "connection_code",
                             codes.revoke(actor, ids.key(input.id, "ConnectionCode"), input.revoke_devices),
                             ConnectionCode.of)

    @mutation(description="Pair this device with a connection code. Needs no login.")
    async def device_pair(self, info: Info, input: Annotated[DevicePairInput, INPUT]) -> DevicePairPayload:
        try:
            pairing = await codes.pair(info.context.runtime, info.context.client, input.code, input.name)
        except UserErrors as exc:
            return DevicePairPayload(device_token=None, device=None, configuration=None, user_errors=user_errors(exc))
        info.context.reader = access.Reader.of_device(pairing.device)  # the new device reads itself
        return DevicePairPayload(
            device_token=pairing.device_token, device=device_types.Device.of(pairing.device),
            configuration=configuration_types.Configuration.of(pairing.configuration), user_errors=[],
        )
