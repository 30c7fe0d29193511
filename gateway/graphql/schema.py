"""Schema assembly: types, limits, error policy, and the DeviceType enum of this runtime."""

from __future__ import annotations

import enum

import strawberry
from graphql import GraphQLEnumValue
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache

from gateway.graphql import limits, types
from gateway.graphql.errors import ErrorPolicy
from gateway.graphql.admin_mutations import AdminMutations
from gateway.graphql.mutations import CoreMutations
from gateway.graphql.query import Query
from gateway.services.runtime import Runtime


@strawberry.type(description="Everything a client can change.")
class Mutation(CoreMutations, AdminMutations):
    pass


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # ErrorPolicy logs what is unexpected; auth and input errors are not news.
        return None


def build_schema(runtime: Runtime) -> Schema:
    # These serve Strawberry's own execution path (its view's WebSocket
    # transport, Schema.execute); the HTTP handler applies the same rules,
    # masking and caches itself, without the per-request extension machinery.
    extensions = [*limits.extensions(), ErrorPolicy, lambda: ParserCache(maxsize=1024), lambda: ValidationCache(maxsize=1024)]
    if not runtime.settings.introspection:
        extensions.append(DisableIntrospection)
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
