"""The organisation: its settings, read by everyone in it and changed by ADMIN and MANAGER."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import ids, node
from gateway.graphql.errors import ERRORS, INPUT, UserError, respond
from gateway.graphql.inputs import mutation
from gateway.services import organisations


@strawberry.type(description="A tenant: a restaurant, shop or chain. Nothing crosses between organisations.")
class Organisation(node.Node):
    model: strawberry.Private[models.Organisation]
    name: str = strawberry.field(description="Display name.")
    pin_login_enabled: bool = strawberry.field(description="Staff may log in with a PIN on approved devices.")
    session_idle_minutes: int = strawberry.field(description="A session ends after this many idle minutes.")
    session_max_hours: int = strawberry.field(description="A session ends this many hours after login, idle or not.")
    session_lock_minutes: int = strawberry.field(description=(
        "A PIN session unused this many minutes is locked at its register (a PIN unlocks it); 0: never. "
        "Always below sessionIdleMinutes, which still ends it."))
    created_at: datetime = strawberry.field(description="When the organisation was created.")

    @classmethod
    def of(cls, m: models.Organisation) -> "Organisation":
        return cls(
            model=m, id=ids.encode("Organisation", m.id), name=m.name, pin_login_enabled=m.pin_login_enabled,
            session_idle_minutes=m.session_idle_minutes, session_max_hours=m.session_max_hours,
            session_lock_minutes=m.session_lock_minutes, created_at=m.created_at,
        )


node.register(Organisation, organisations.find)


@strawberry.input(description="Organisation settings; omitted fields stay as they are.")
class OrganisationUpdateInput:
    name: str | None = strawberry.field(default=None, description="Display name.")
    pin_login_enabled: bool | None = strawberry.field(default=None, description="Allow PIN login on approved devices.")
    session_idle_minutes: int | None = strawberry.field(default=None, description="Idle timeout, 1 to 1440 minutes.")
    session_max_hours: int | None = strawberry.field(default=None, description="Absolute lifetime, 1 to 168 hours.")
    session_lock_minutes: int | None = strawberry.field(default=None, description=(
        "Lock PIN sessions unused this long, 0 (never) to 1440 minutes, and below sessionIdleMinutes."))


@strawberry.type(description="The result of organisationUpdate.")
class OrganisationUpdatePayload:
    organisation: Organisation | None = strawberry.field(description="The organisation, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class Query:
    @strawberry.field(description="The viewer's organisation.")
    async def organisation(self, info: Info) -> Organisation:
        actor = await info.context.actor()
        actor.require_user()
        return Organisation.of(actor.session.organisation)


@strawberry.type
class Mutation:
    @mutation(description="Change organisation settings, PIN login among them (ADMIN, MANAGER).")
    async def organisation_update(
        self, info: Info, input: Annotated[OrganisationUpdateInput, INPUT]
    ) -> OrganisationUpdatePayload:
        actor = await info.context.actor()
        change = organisations.update(actor, input.name, input.pin_login_enabled, input.session_idle_minutes,
                                      input.session_max_hours, session_lock_minutes=input.session_lock_minutes)
        return await respond(OrganisationUpdatePayload, "organisation", change, Organisation.of)
