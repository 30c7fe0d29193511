"""The audit log, read by ADMIN and MANAGER."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway import models
from gateway.graphql import devices as device_types
from gateway.graphql import ids, node
from gateway.graphql import users as user_types
from gateway.graphql.inputs import UNSTORABLE, storable
from gateway.graphql.pagination import After, Connection, First, connection
from gateway.services import audit
from gateway.services.errors import ErrorCode, refuse


# Types of sibling modules, found when the schema is built: the domain modules refer to each other.
DeviceRef = Annotated["Device", strawberry.lazy("gateway.graphql.devices")]
UserRef = Annotated["User", strawberry.lazy("gateway.graphql.users")]

@strawberry.type(description="An entry of the audit log: a security-relevant event.")
class AuditEvent(node.Node):
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
    def actor(self, info: Info) -> UserRef | None:
        return user_types.user(info, self.model.actor_id)

    @strawberry.field(description="The device it concerns, if it still exists.")
    def device(self, info: Info) -> DeviceRef | None:
        return device_types.device(info, self.model.device_id)


node.register(AuditEvent, audit.find)


@strawberry.type
class Query:
    @strawberry.field(description="The organisation's audit log (ADMIN, MANAGER), newest first.")
    async def audit_events(
        self, info: Info,
        type: Annotated[str | None, strawberry.argument(description="Only events of this type, e.g. `login.failed`.")] = None,
        first: First = None, after: After = None,
    ) -> Connection[AuditEvent]:
        actor = await info.context.actor()
        if type is not None and not storable(type):
            raise refuse(ErrorCode.INVALID, UNSTORABLE, "type")  # BAD_USER_INPUT, before the database sees it
        return connection(await audit.list_page(actor, type, first, ids.after_id(after)), AuditEvent.of,
                          info.context.loaders)
