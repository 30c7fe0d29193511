"""Schema assembly: types, limits, error policy, and the DeviceType enum of this runtime."""

from __future__ import annotations

import enum

import strawberry
from graphql import GraphQLEnumValue
from strawberry.extensions import DisableIntrospection, ParserCache, SchemaExtension, ValidationCache

from gateway import db
from gateway.graphql import limits, types
from gateway.graphql.errors import ErrorPolicy
from gateway.graphql.admin_mutations import AdminMutations
from gateway.graphql.mutations import CoreMutations
from gateway.graphql.query import Query
from gateway.services.runtime import Runtime


class QueryStats(SchemaExtension):
    """``extensions.sql.queries``: statements run by the operation (the N+1 guard)."""

    def on_operation(self):
        self._cell = db.start_counting()
        yield

    def get_results(self):
        return {"sql": {"queries": self._cell[0]}}


@strawberry.type(description="Everything a client can change.")
class Mutation(CoreMutations, AdminMutations):
    pass


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # ErrorPolicy logs what is unexpected; auth and input errors are not news.
        return None


def build_schema(runtime: Runtime) -> Schema:
    extensions = [*limits.extensions(), ErrorPolicy, lambda: ParserCache(maxsize=1024), lambda: ValidationCache(maxsize=1024)]
    if not runtime.settings.introspection:
        extensions.append(DisableIntrospection)
    if runtime.settings.query_stats:
        db.enable_query_stats()
        extensions.append(QueryStats)
    schema = Schema(query=Query, mutation=Mutation, extensions=extensions, types=[
        types.Organisation, types.User, types.Configuration, types.ConnectionCode, types.Device, types.Session,
        types.AuditEvent,
    ])
    _install_device_types(schema, runtime)
    return schema


def _install_device_types(schema: Schema, runtime: Runtime) -> None:
    """Give ``DeviceType`` exactly the registered keys.

    Python annotations are static, so the Strawberry enum is a placeholder and
    its GraphQL type (private to this schema instance) gets the values here.
    """
    gql = schema._schema.type_map["DeviceType"]
    gql.wrapped_cls = enum.Enum("DeviceType", {key: key for key in runtime.device_types})
    gql.__dict__["values"] = {
        key: GraphQLEnumValue(key, description=spec.label) for key, spec in runtime.device_types.items()
    }
    gql.__dict__.pop("_value_lookup", None)
