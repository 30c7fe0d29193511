"""Object types. Each wraps a model row; relations resolve through DataLoaders."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway import models
from gateway.graphql import ids
from gateway.services import codes, qr, sessions
from gateway.services.errors import ErrorCode, refuse


@strawberry.interface(description="An object with a globally unique, opaque ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID.")


@strawberry.enum(
    description="A kind of device. Built at start-up from the registered device types: plugins add values."
)
class DeviceType(Enum):
    # Placeholder members; gateway.graphql.schema replaces them with the registered keys.
    POS = "POS"


Role = strawberry.enum(models.Role, description="What a user may do: ADMIN and MANAGER administer, STAFF sells.")
LoginMethod = strawberry.enum(models.LoginMethod, description="How a user may log in.")
AuthMethod = strawberry.enum(models.AuthMethod, description="How a session was opened.")
ConnectionCodeStatus = strawberry.enum(codes.CodeStatus, name="ConnectionCodeStatus", description="Where a connection code is in its life.")
SessionEndReason = strawberry.enum(sessions.EndReason, name="SessionEndReason", description=(
    "Why a session ended. LOGOUT: the user logged out. IDLE_TIMEOUT: no request for the organisation's idle "
    "minutes. MAX_LIFETIME: its hours since login were up. ENDED_BY_ADMIN: an ADMIN or MANAGER ended it. "
    "DEVICE_REVOKED, DEVICE_DELETED: its device was revoked or deleted. DEVICE_LOGGED_OUT: its device was "
    "logged out. USER_DELETED: its user was deleted. USER_SWITCHED: another user logged in on its device. "
    "CREDENTIALS_CHANGED: its user's password, PIN, login method or role changed."))


@strawberry.enum(description="Whether a device may be used.")
class DeviceStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description=(
        "Holds a token from a password login but was never approved; never listed by `devices`."))
    APPROVED = "APPROVED"
    REVOKED = "REVOKED"


@strawberry.enum(description="How `qrCode` is returned.")
class QrFormat(Enum):
    SVG = "SVG"
    PNG = "PNG"


@strawberry.type(description="A device type that can be paired, as registered by the core or a plugin.")
class DeviceTypeInfo:
    key: DeviceType = strawberry.field(description="The `DeviceType` value.")
    label: str = strawberry.field(description="Human name, e.g. “Customer display”.")
    supports_pin_login: bool = strawberry.field(description="Staff can log in on it with a PIN.")
    description: str = strawberry.field(description="What the type is for.")


ActiveArg = Annotated[bool | None, strawberry.argument(description="true: only live sessions; false: only ended ones.")]
NestedFirst = Annotated[int, strawberry.argument(description="How many, 0 to 100.")]


def _nested(first: int) -> int:
    if not 0 <= first <= 100:
        raise refuse(ErrorCode.INVALID, "first must be between 0 and 100.", "first")
    return first


@strawberry.type(description="A tenant: a restaurant, shop or chain. Nothing crosses between organisations.")
class Organisation(Node):
    model: strawberry.Private[models.Organisation]
    name: str = strawberry.field(description="Display name.")
    pin_login_enabled: bool = strawberry.field(description="Staff may log in with a PIN on approved devices.")
    session_idle_minutes: int = strawberry.field(description="A session ends after this many idle minutes.")
    session_max_hours: int = strawberry.field(description="A session ends this many hours after login, idle or not.")
    created_at: datetime = strawberry.field(description="When the organisation was created.")

    @classmethod
    def of(cls, m: models.Organisation) -> "Organisation":
        return cls(
            model=m, id=ids.encode("Organisation", m.id), name=m.name, pin_login_enabled=m.pin_login_enabled,
            session_idle_minutes=m.session_idle_minutes, session_max_hours=m.session_max_hours,
            created_at=m.created_at,
        )


@strawberry.type(description="A person who works for the organisation.")
class User(Node):
    model: strawberry.Private[models.User]
    username: str = strawberry.field(description="Login name, unique across the gateway.")
    display_name: str = strawberry.field(description="Name shown on screens and receipts.")
    role: Role = strawberry.field(description="What the user may do.")
    login_method: LoginMethod = strawberry.field(description="How the user may log in.")
    has_pin: bool = strawberry.field(description="A PIN is set (the PIN itself is never shown).")
    created_at: datetime = strawberry.field(description="When the user was created.")

    @classmethod
    def of(cls, m: models.User) -> "User":
        return cls(
            model=m, id=ids.encode("User", m.id), username=m.username, display_name=m.display_name,
            role=m.role, login_method=m.login_method, has_pin=m.pin_hmac is not None, created_at=m.created_at,
        )

    @strawberry.field(description="The user's sessions, newest first.")
    def sessions(self, info: Info, active: ActiveArg = None, first: NestedFirst = 20) -> list["Session"]:
        return _related(info.context.loaders.sessions_by_user, (self.model.id, active, _nested(first)), _sessions)


def _related(loader, key, convert):
    """``convert(row)`` at once when this request's loader already holds the row, else an awaitable of it.

    graphql-core schedules a task for every awaitable in a list; rows that a
    parent list prefetched (gateway.graphql.prefetch) need none.
    """
    if key is None:
        return None
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        row = future.result()
        return None if row is None else convert(row)
    return _later(loader.load(key), convert)


async def _later(pending, convert):
    row = await pending
    return None if row is None else convert(row)


def _sessions(rows) -> list["Session"]:
    return [Session.of(s) for s in rows]


def _devices(info: Info, rows) -> list["Device"]:
    info.context.loaders.prime(rows)
    return [Device.of(d) for d in rows]


def _user(info: Info, user_id: int | None):
    return _related(info.context.loaders.user, user_id, User.of)


@strawberry.type(description="A POS profile: what a paired device runs (menu, printers, layout…).")
class Configuration(Node):
    model: strawberry.Private[models.Configuration]
    name: str = strawberry.field(description="Name, unique in the organisation.")
    description: str = strawberry.field(description="Free text for the back office.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def of(cls, m: models.Configuration) -> "Configuration":
        return cls(
            model=m, id=ids.encode("Configuration", m.id), name=m.name, description=m.description,
            created_at=m.created_at, updated_at=m.updated_at,
        )

    @strawberry.field(description="Approved and revoked devices running this configuration, oldest first.")
    async def devices(self, info: Info, first: NestedFirst = 100) -> list["Device"]:
        return _devices(info, await info.context.loaders.devices_by_configuration.load((self.model.id, _nested(first))))


def _configuration(info: Info, configuration_id: int | None):
    return _related(info.context.loaders.configuration, configuration_id, Configuration.of)


@strawberry.type(description="A code that pairs devices with the organisation. Immutable: it can only be revoked.")
class ConnectionCode(Node):
    model: strawberry.Private[models.ConnectionCode]
    description: str = strawberry.field(description="What the code is for, e.g. “Bar iPad”.")
    device_type: DeviceType = strawberry.field(description="The type of the devices it pairs.")
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
    def configuration(self, info: Info) -> Configuration | None:
        return _configuration(info, self.model.configuration_id)

    @strawberry.field(description="Who created the code.")
    def created_by(self, info: Info) -> User | None:
        return _user(info, self.model.created_by_id)

    @strawberry.field(description="The devices this code paired (approved or revoked), oldest first.")
    async def devices(self, info: Info, first: NestedFirst = 100) -> list["Device"]:
        return _devices(info, await info.context.loaders.devices_by_code.load((self.model.id, _nested(first))))


@strawberry.type(description="A register or display of the organisation.")
class Device(Node):
    model: strawberry.Private[models.Device]
    name: str = strawberry.field(description="Name shown in the device list.")
    device_type: DeviceType = strawberry.field(description="What kind of device it is.")
    approved_at: datetime | None = strawberry.field(description="When it was approved (or paired).")
    created_at: datetime = strawberry.field(description="When the gateway first saw it.")
    last_seen_at: datetime | None = strawberry.field(description="Its last request, to the minute.")

    @classmethod
    def of(cls, m: models.Device) -> "Device":
        return cls(
            model=m, id=ids.encode("Device", m.id), name=m.name, device_type=m.device_type,
            approved_at=m.approved_at, created_at=m.created_at, last_seen_at=m.last_seen_at,
        )

    @strawberry.field(description="PENDING, APPROVED or REVOKED.")
    def status(self) -> DeviceStatus:
        return DeviceStatus(self.model.state.value)

    @strawberry.field(description="The configuration it runs.")
    def configuration(self, info: Info) -> Configuration | None:
        return _configuration(info, self.model.configuration_id)

    @strawberry.field(description="The connection code that paired it, if one did.")
    def paired_with(self, info: Info) -> ConnectionCode | None:
        return _related(info.context.loaders.code, self.model.paired_with_id, ConnectionCode.of)

    @strawberry.field(description="Who approved it (for a paired device: who created the code).")
    def approved_by(self, info: Info) -> User | None:
        return _user(info, self.model.approved_by_id)

    @strawberry.field(description="Sessions opened on this device: user, IP address, login time; newest first.")
    def sessions(self, info: Info, active: ActiveArg = None, first: NestedFirst = 20) -> list["Session"]:
        return _related(info.context.loaders.sessions_by_device, (self.model.id, active, _nested(first)), _sessions)


@strawberry.type(description="A login: who, on which device, from where, and until when.")
class Session(Node):
    model: strawberry.Private[models.Session]
    method: AuthMethod = strawberry.field(description="Password or PIN.")
    ip_address: str | None = strawberry.field(description="Client address at login.")
    user_agent: str = strawberry.field(description="Client software at login.")
    created_at: datetime = strawberry.field(description="Login time.")
    last_seen_at: datetime = strawberry.field(description="Last request, to the minute.")
    expires_at: datetime = strawberry.field(description="Absolute end of the session.")
    ended_at: datetime | None = strawberry.field(description="When it ended, if it did.")
    end_reason: SessionEndReason | None = strawberry.field(description="Why it ended; null while it is live.")

    @classmethod
    def of(cls, m: models.Session) -> "Session":
        return cls(
            model=m, id=ids.encode("Session", m.id), method=m.method, ip_address=m.ip_address,
            user_agent=m.user_agent, created_at=m.created_at, last_seen_at=m.last_seen_at,
            expires_at=m.expires_at, ended_at=m.ended_at,
            end_reason=sessions.EndReason(m.end_reason) if m.end_reason else None,
        )

    @strawberry.field(description="The session is still usable.")
    def active(self) -> bool:
        return self.model.ended_at is None

    @strawberry.field(description="Who logged in.")
    def user(self, info: Info) -> User | None:
        return _user(info, self.model.user_id)

    @strawberry.field(description="The device logged in on, when known.")
    def device(self, info: Info) -> Device | None:
        return _related(info.context.loaders.device, self.model.device_id, Device.of)


@strawberry.type(description="An entry of the audit log: a security-relevant event.")
class AuditEvent(Node):
    model: strawberry.Private[models.AuditLog]
    type: str = strawberry.field(description="What happened, e.g. `code.created`, `login.failed`, `throttle.locked`.")
    ip_address: str | None = strawberry.field(description="Client address of the request that caused it.")
    created_at: datetime = strawberry.field(description="When it happened.")
    data: JSON = strawberry.field(description="Details of the event (IDs, reasons); never secrets.")

    @classmethod
    def of(cls, m: models.AuditLog) -> "AuditEvent":
        return cls(model=m, id=ids.encode("AuditEvent", m.id), type=m.type, ip_address=m.ip_address,
                   created_at=m.created_at, data=m.data)

    @strawberry.field(description="The logged-in user who caused it, if any.")
    def actor(self, info: Info) -> User | None:
        return _user(info, self.model.actor_id)

    @strawberry.field(description="The device it concerns, if it still exists.")
    def device(self, info: Info) -> Device | None:
        return _related(info.context.loaders.device, self.model.device_id, Device.of)


@strawberry.type(description="What a login screen needs to know about the device it runs on.")
class ThisDevice:
    known: bool = strawberry.field(description="The request carried a device token the gateway knows.")
    approved: bool = strawberry.field(description="An ADMIN or MANAGER approved this device (or a code paired it).")
    pin_login_available: bool = strawberry.field(
        description="Show the PIN pad: approved, a PIN-capable type, and PIN login on in the organisation."
    )
    name: str | None = strawberry.field(description="The device's name, once approved.")
    organisation_name: str | None = strawberry.field(description="Whose device this is.")


@strawberry.type(description="The logged-in user and where they are.")
class Viewer:
    user: User = strawberry.field(description="Who is logged in.")
    session: Session = strawberry.field(description="The session of this request.")
    organisation: Organisation = strawberry.field(description="Their organisation.")
    device: Device | None = strawberry.field(description="The device of this request (X-Device-Token), if known.")
