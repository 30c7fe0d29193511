"""Input objects built straight from their GraphQL value.

Strawberry converts each argument on every request by walking the input type
generically: for every field it resolves the annotation, converts its name and
dispatches on its kind, about 5 µs for a one-field input and 3 % of a PIN
login's instructions (bench/README.md). graphql-core has already checked and
coerced the value, and for strings, numbers, booleans and IDs Strawberry's walk
returns it unchanged; so each input type gets a builder, made once, that copies
those fields and hands every other field (enums, dates, nested inputs, lists)
to Strawberry's own conversion, through the `from_input` hook Strawberry gives
input types that build their own value.
"""

from __future__ import annotations

import dataclasses

import strawberry
from strawberry.types.base import StrawberryMaybe, StrawberryObjectDefinition, StrawberryOptional

_UNCHANGED = (str, int, float, bool, strawberry.ID)  # Strawberry returns these values as they are


def _unchanged(type_) -> bool:
    if isinstance(type_, StrawberryMaybe):
        return False
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    return type_ in _UNCHANGED


def _builder(definition: StrawberryObjectDefinition, name_converter):
    fields = []
    for field in definition.fields:
        type_ = field.resolve_type(type_definition=definition)
        fields.append((name_converter.from_field(field), field.python_name, None if _unchanged(type_) else type_))
    # As Strawberry does: a field without a default is None unless the value has it.
    implicit = {field.python_name: None for field in definition.fields
                if field.default_value is dataclasses.MISSING and field.default_factory is dataclasses.MISSING}

    def from_input(cls, value, context):
        kwargs = dict(implicit)
        for graphql_name, python_name, type_ in fields:
            if graphql_name in value:
                item = value[graphql_name]
                kwargs[python_name] = item if type_ is None else context.convert(item, type_, graphql_name)
        return cls(**kwargs)

    return from_input


def build_directly(schema: strawberry.Schema) -> None:
    """Give every input type of ``schema`` that builds no value of its own a direct builder.
    Types with a ``Maybe`` field keep Strawberry's path: its null check needs it."""
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if not isinstance(definition, StrawberryObjectDefinition) or not definition.is_input:
            continue
        if definition.from_input is not None and not getattr(definition.from_input, "pairgate", False):
            continue  # built by its own integration
        if any(isinstance(field.type, StrawberryMaybe) for field in definition.fields):
            continue
        definition.from_input = _builder(definition, schema.config.name_converter)
        definition.from_input.pairgate = True
