"""Configurations: the POS profiles paired devices run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import devices as device_types
from gateway.graphql import ids, node
from gateway.graphql.errors import ERRORS, INPUT, UserError, respond
from gateway.graphql.inputs import mutation
from gateway.graphql.loaders import related
from gateway.graphql.pagination import After, Connection, First, connection, nested
from gateway.services import configurations


# Types of sibling modules, found when the schema is built: the domain modules refer to each other.
DeviceRef = Annotated["Device", strawberry.lazy("gateway.graphql.devices")]

@strawberry.type(description="A POS profile: what a paired device runs (menu, printers, layout…).")
class Configuration(node.Node):
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
    def devices(self, info: Info, first: First = None,
                after: After = None) -> Connection[DeviceRef]:
        return nested(info, info.context.loaders.devices_by_configuration, self.model.id, (), first, after,
                      device_types.Device.of)


node.register(Configuration, configurations.find)


def configuration(info: Info, configuration_id: int | None):
    """The configuration with this id, through the request's loader (a reference from another object)."""
    return related(info.context.loaders.configuration, configuration_id, Configuration.of)


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
    configuration: Configuration | None = strawberry.field(description="The configuration, as it is now.")
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


@strawberry.type
class Query:
    @strawberry.field(description="Configurations of the organisation (ADMIN, MANAGER).")
    async def configurations(self, info: Info, first: First = None, after: After = None) -> Connection[Configuration]:
        actor = await info.context.actor()
        return connection(await configurations.list_page(actor, first, ids.after_id(after)), Configuration.of,
                          info.context.loaders)


@strawberry.type
class Mutation:
    @mutation(description="Create a configuration (ADMIN, MANAGER).")
    async def configuration_create(self, info: Info, input: Annotated[ConfigurationCreateInput, INPUT]) -> ConfigurationCreatePayload:
        actor = await info.context.actor()
        return await respond(ConfigurationCreatePayload, "configuration",
                             configurations.create(actor, input.name or "", input.description), Configuration.of)

    @mutation(description="Rename or redescribe a configuration (ADMIN, MANAGER).")
    async def configuration_update(self, info: Info, input: Annotated[ConfigurationUpdateInput, INPUT]) -> ConfigurationUpdatePayload:
        actor = await info.context.actor()
        return await respond(ConfigurationUpdatePayload, "configuration", configurations.update(
            actor, ids.key(input.id, "Configuration"), input.name, input.description), Configuration.of)

    @mutation(description="Delete a configuration no active code or approved device uses (ADMIN, MANAGER).")
    async def configuration_delete(self, info: Info, input: Annotated[ConfigurationDeleteInput, INPUT]) -> ConfigurationDeletePayload:
        actor = await info.context.actor()
        return await respond(ConfigurationDeletePayload, "configuration",
                             configurations.delete(actor, ids.key(input.id, "Configuration")), Configuration.of)
