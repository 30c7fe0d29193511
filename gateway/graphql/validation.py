"""Parsing and validating a document, the same on every transport (HTTP and WebSocket).

Each distinct text is parsed, capped and validated once (a bounded LRU keyed by
the text: a document's validity depends only on its text and the schema).
The field cap runs before validation, whose cost it bounds; with introspection
off, the introspection fields are refused and errors drop their "Did you
mean ...?" hints, which would rebuild the schema for whoever asks.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import (
    DocumentNode, GraphQLError, GraphQLSchema, NoSchemaIntrospectionCustomRule, OperationType, get_operation_ast, parse,
    specified_rules, validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway.graphql import limits

DOCUMENT_CACHE_SIZE = 1024


class Validator:
    def __init__(self, introspection: bool) -> None:
        rules = [*specified_rules, *limits.RULES, MaybeNullValidationRule, OneOfInputValidationRule]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self.hide_suggestions = not introspection
        self.schema: GraphQLSchema | None = None  # the schema's graphql-core form, once it is built
        self.prepare = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._prepare)

    def _prepare(self, text: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
        """(document, []) when the text is a valid document, else (None, errors)."""
        try:
            document = parse(text, max_tokens=limits.MAX_TOKENS)
        except GraphQLError as error:
            return None, [error]
        too_large = limits.too_many_fields(document)
        if too_large is not None:
            return None, [too_large]
        errors = validate(self.schema, document, self.rules, hide_suggestions=self.hide_suggestions)
        return (None, errors) if errors else (document, [])


class SameValidation(SchemaExtension):
    """The validator's answer on Strawberry's own execution path (its WebSocket transport,
    ``Schema.execute``): an extension that has validated leaves Strawberry nothing to do."""

    def __init__(self, validator: Validator) -> None:
        self.validator = validator

    def on_validate(self):
        document, errors = self.validator.prepare(self.execution_context.query)
        if document is not None:
            self.execution_context.graphql_document = document
            if not errors and getattr(self.execution_context.context, "is_socket", False):
                errors = _mutations_over_http(document, self.execution_context.operation_name)
        self.execution_context.pre_execution_errors = errors
        yield


def _mutations_over_http(document, operation_name: str | None) -> list[GraphQLError]:
    """A socket takes subscriptions and queries. A mutation changes who is asking (a login, a
    pairing) or what the caller may do, and a socket's operations share one connection: such a
    change belongs to one request, over HTTP, where it ends with the request."""
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation == OperationType.MUTATION:
        return [GraphQLError("Send mutations over HTTP (POST /graphql); a WebSocket takes subscriptions "
                             "and queries.", extensions={"code": "BAD_USER_INPUT"})]
    return []
