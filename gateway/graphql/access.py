"""Who may read what: the one table, and the check every field of every answer goes through.

ADMIN and MANAGER read every object of their organisation. Everyone else reads
only what is theirs, and of it only the fields listed below: a STAFF member
their own user and sessions, their organisation's settings, the device of the
request with its configuration's name, and the overrides they asked for or
redeemed; a device that has just paired, that device; an anonymous client,
nothing of any organisation. An object of another organisation is nobody's.

The check runs as graphql-core middleware around every field, so it holds
however an object is reached: a root field, ``node``, a nested field, a
mutation's payload, an audit event's references. Root fields and services
still refuse what a role may not list or do; this is the net under all of them.
A field a reader may not read answers null with a FORBIDDEN error at its path.

A request whose session is locked at its register reads as nobody, and is refused
(SESSION_LOCKED) every root field but the few a lock screen needs (``OPEN_WHEN_LOCKED``):
checked here, before the field runs, so that no resolver has to remember it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLResolveInfo, GraphQLUnionType, get_named_type
from strawberry.extensions import SchemaExtension

from gateway.models import Role
from gateway.services.actor import Actor
from gateway.services.errors import Forbidden, SessionLocked


@dataclasses.dataclass(frozen=True)
class Reader:
    """Whose eyes an answer is read with."""

    organisation_id: int | None = None
    administers: bool = False  # ADMIN or MANAGER
    user_id: int | None = None
    device_id: int | None = None  # the device of the request
    configuration_id: int | None = None  # that device's configuration
    locked: bool = False  # the request's session is locked: reads nothing, refused as SESSION_LOCKED

    @classmethod
    def of(cls, actor: Actor) -> "Reader":
        if actor.user is None:
            return LOCKED if actor.locked_session is not None else ANONYMOUS
        device = actor.device  # the request's context never keeps another organisation's device
        return cls(
            organisation_id=actor.user.organisation_id,
            administers=actor.user.role in (Role.ADMIN, Role.MANAGER),
            user_id=actor.user.id,
            device_id=device.id if device else None,
            configuration_id=device.configuration_id if device else None,
        )

    @classmethod
    def of_device(cls, device) -> "Reader":
        """A device that has just paired reads itself, as a STAFF member reads their register."""
        return cls(organisation_id=device.organisation_id, device_id=device.id,
                   configuration_id=device.configuration_id)


ANONYMOUS = Reader()
LOCKED = Reader(locked=True)

# Root fields a request whose session is locked may still use: the lock screen's own query,
# the PIN that unlocks or switches, logging out, and what needs no login at all.
OPEN_WHEN_LOCKED = frozenset({"thisDevice", "thisDeviceEvents", "loginWithPin", "logout", "deviceTypes",
                              "__typename", "__schema", "__type"})

EVERY_FIELD = None


@dataclasses.dataclass(frozen=True)
class Rule:
    """What a reader who does not administer the organisation may read of one type."""

    theirs: Callable[[Reader, Any], bool]  # which rows are theirs
    fields: frozenset[str] | None = EVERY_FIELD  # which fields of those rows


def _nothing(reader: Reader, row) -> bool:
    return False


# Type -> what non-administrators may read of it. A type with a model row and
# no line here is for administrators alone (a test holds every Node type to it).
RULES: dict[str, Rule] = {
    "Organisation": Rule(
        theirs=lambda reader, row: row.id == reader.organisation_id,
        fields=frozenset({"id", "name", "pinLoginEnabled", "sessionIdleMinutes", "sessionMaxHours",
                          "sessionLockMinutes"}),
    ),
    "User": Rule(theirs=lambda reader, row: row.id == reader.user_id),  # with their own sessions
    "Session": Rule(theirs=lambda reader, row: row.user_id is not None and row.user_id == reader.user_id),
    "Device": Rule(
        theirs=lambda reader, row: row.id == reader.device_id,
        fields=frozenset({"id", "name", "deviceType", "status", "configuration"}),
    ),
    "Configuration": Rule(
        theirs=lambda reader, row: row.id == reader.configuration_id,
        fields=frozenset({"id", "name", "description"}),
    ),
    # The overrides they asked for or redeemed: a register shows what it may go ahead with. Who
    # approved it is another user, whom the User line keeps from them.
    "Override": Rule(theirs=lambda reader, row: reader.user_id is not None
                     and reader.user_id in (row.requested_by_id, row.redeemed_by_id)),
    "ConnectionCode": Rule(theirs=_nothing),
    "AuditEvent": Rule(theirs=_nothing),
}


def _organisation_of(row) -> int | None:
    return getattr(row, "organisation_id", row.id)


def may_read(reader: Reader, obj) -> bool:
    """Whether ``reader`` may see this object (a type of this package wrapping a model row)."""
    rule = RULES.get(type(obj).__name__)
    if rule is None:
        return True  # not an organisation's object: payloads, connections, this device's summary
    row = obj.model
    if reader.organisation_id is None or _organisation_of(row) != reader.organisation_id:
        return False
    return reader.administers or rule.theirs(reader, row)


def _refusal(reader: Reader) -> Exception:
    return SessionLocked() if reader.locked else Forbidden()


def _check(reader: Reader, value):
    if isinstance(value, list):
        for item in value:
            if item is not None and not may_read(reader, item):
                raise _refusal(reader)
    elif value is not None and not may_read(reader, value):
        raise _refusal(reader)
    return value


async def _check_later(info: GraphQLResolveInfo, pending):
    value = await pending
    return _check(info.context.reader, value)  # read now: the field may have just logged someone in


def _can_return_rows(info: GraphQLResolveInfo) -> bool:
    """Whether a field's answer may hold an organisation's object: worked out once per field."""
    key = (info.parent_type.name, info.field_name)
    known = _RETURNS_ROWS.get(key)
    if known is None:
        named = get_named_type(info.return_type)
        if isinstance(named, GraphQLObjectType):
            known = named.name in RULES
        else:  # an interface (Node) may be any of them
            known = isinstance(named, (GraphQLInterfaceType, GraphQLUnionType))
        _RETURNS_ROWS[key] = known
    return known


_RETURNS_ROWS: dict[tuple[str, str], bool] = {}


# Readable on every object a reader may see: the type's name is the schema's, not the row's, and
# client libraries (urql, Apollo) ask for it on every object; refusing it (it is non-null) would
# null the whole object, fields the reader may read included.
EVERY_OBJECT = frozenset({"__typename"})


async def _unless_locked(next_, source, info: GraphQLResolveInfo, args):
    """A root field, once the request's session is known not to be locked."""
    if (await info.context.actor()).locked_session is not None:
        raise SessionLocked()
    result = _authorized(next_, source, info, args)
    return await result if info.is_awaitable(result) else result


def authorize(next_, source, info: GraphQLResolveInfo, **args):
    """graphql-core middleware: the field, then the objects it returns, against ``info.context.reader``."""
    if info.path.prev is None and info.field_name not in OPEN_WHEN_LOCKED and info.context.has_bearer:
        return _unless_locked(next_, source, info, args)
    return _authorized(next_, source, info, args)


def _authorized(next_, source, info: GraphQLResolveInfo, args):
    if not info.context.reader.administers:
        rule = RULES.get(info.parent_type.name)
        if (rule is not None and rule.fields is not None and info.field_name not in rule.fields
                and info.field_name not in EVERY_OBJECT):
            raise _refusal(info.context.reader)
    result = next_(source, info, **args)
    if not _can_return_rows(info):
        return result
    if info.is_awaitable(result):
        return _check_later(info, result)
    return _check(info.context.reader, result)


class Authorization(SchemaExtension):
    """The same check on Strawberry's own execution path (its WebSocket transport, ``Schema.execute``)."""

    def on_operation(self):
        # A WebSocket lives longer than its session may: each operation on it authenticates afresh,
        # so one sent after the session ended or locked is not read with the session that was.
        context = self.execution_context.context
        if getattr(context, "is_socket", False):
            context.new_operation()
        yield

    def resolve(self, _next, root, info, *args, **kwargs):
        return authorize(_next, root, info, **kwargs)
