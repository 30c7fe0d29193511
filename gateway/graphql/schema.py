"""Schema assembly: each domain's queries and mutations, limits, authorization, error policy,
and the enums of this runtime's plugins (DeviceType, OverrideAction)."""

from __future__ import annotations

import enum

import strawberry
from graphql import GraphQLEnumValue
from strawberry.extensions import MaxTokensLimiter

from gateway.graphql import (
    access, audit, auth, code_events, codes, configurations, device_events, devices, limits, node, organisation,
    overrides, sessions, users,
)
from gateway.graphql.errors import ErrorPolicy
from gateway.graphql.executor import Executor
from gateway.graphql.validation import SameValidation, Validator
from gateway.services.runtime import Runtime



@strawberry.type(description="Everything a client can read.")
class Query(auth.Query, node.Query, organisation.Query, devices.Query, users.Query, configurations.Query, codes.Query,
            sessions.Query, audit.Query, overrides.Query):
    pass


@strawberry.type(description="Everything a client can change.")
class Mutation(auth.Mutation, codes.Mutation, organisation.Mutation, users.Mutation, configurations.Mutation,
               devices.Mutation, sessions.Mutation, overrides.Mutation):
    pass


@strawberry.type(description="What a client can follow live, over WebSocket at /graphql.")
class Subscription(code_events.Subscription, device_events.Subscription):
    pass


NODE_TYPES = [organisation.Organisation, users.User, configurations.Configuration, codes.ConnectionCode,
              devices.Device, sessions.Session, audit.AuditEvent, overrides.Override]


class Schema(strawberry.Schema):
    validator: Validator  # parses and validates documents for every transport

    def process_errors(self, errors, execution_context=None) -> None:
        # ErrorPolicy logs what is unexpected; auth and input errors are not news.
        return None


def build_schema(runtime: Runtime) -> Schema:
    # These serve Strawberry's own execution path (its view's WebSocket
    # transport, Schema.execute); the HTTP handler uses the same validator,
    # authorization and masking itself, without the per-request extension machinery.
    validator = Validator(runtime.settings.introspection)
    extensions = [lambda: MaxTokensLimiter(max_token_count=limits.MAX_TOKENS), lambda: SameValidation(validator),
                  access.Authorization, ErrorPolicy]
    schema = Schema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions,
                    types=NODE_TYPES, execution_context_class=Executor)
    _install_registered_enum(schema, "DeviceType", runtime.device_types)
    _install_registered_enum(schema, "OverrideAction", runtime.override_actions)
    validator.schema = schema._schema
    schema.validator = validator
    return schema


def _install_registered_enum(schema: Schema, name: str, registered: dict) -> None:
    """Give the enum ``name`` exactly the registered keys, each described by its spec's label.

    Python annotations are static, so the Strawberry enum is a placeholder and
    its GraphQL type (private to this schema instance) gets the values here.
    """
    gql = schema._schema.type_map[name]
    gql.wrapped_cls = enum.Enum(name, {key: key for key in registered})
    gql.__dict__["values"] = {key: GraphQLEnumValue(key, description=spec.label) for key, spec in registered.items()}
    gql.__dict__.pop("_value_lookup", None)
