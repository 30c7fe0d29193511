"""Every input type is built exactly as Strawberry's own conversion builds it (graphql/inputs.py)."""

import enum
from datetime import datetime, timezone

import strawberry
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition

from gateway.graphql import inputs
from tests.graphql.test_schema import _schema

SAMPLES = {str: "text", int: 7, float: 1.5, bool: True, strawberry.ID: "VXNlcjox",
           datetime: datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)}


def _sample(type_):
    if isinstance(type_, StrawberryEnumDefinition):
        return type_.values[0].value  # as graphql-core hands it over: Strawberry makes it the enum member
    return SAMPLES.get(type_)


def _values(definition: StrawberryObjectDefinition, name_converter) -> list[dict]:
    """The input with every field given, and with the required fields only."""
    full, required = {}, {}
    for field in definition.fields:
        type_ = field.resolve_type(type_definition=definition)
        optional = isinstance(type_, StrawberryOptional)
        name = name_converter.from_field(field)
        full[name] = _sample(type_.of_type if optional else type_)
        assert full[name] is not None, f"{definition.name}.{name}: add a sample for {type_}"
        if not optional:
            required[name] = full[name]
    return [full, required]


def test_every_input_type_builds_what_strawberry_builds():
    schema = _schema()
    checked = 0
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if not (isinstance(definition, StrawberryObjectDefinition) and definition.is_input):
            continue
        builder = definition.from_input
        assert getattr(builder, "pairgate", False), definition.name
        for value in _values(definition, schema.config.name_converter):
            direct = convert_argument(value, definition.origin, schema.schema_converter.scalar_registry, schema.config)
            definition.from_input = None  # Strawberry's own walk
            try:
                walked = convert_argument(value, definition.origin, schema.schema_converter.scalar_registry,
                                          schema.config)
            finally:
                definition.from_input = builder
            assert direct == walked, (definition.name, value)
            checked += 1
    assert checked >= 30  # every input type, twice


@strawberry.enum(description="A probe's kind.")
class Kind(enum.Enum):
    ONE = "one"


@strawberry.input(description="Nested.")
class Inner:
    label: str = strawberry.field(description="A label.")


@strawberry.input(description="Every shape a field can take.")
class Probe:
    plain_name: str | None = strawberry.field(description="No default: None when not sent.")
    count: int = strawberry.field(default=3, description="A default.")
    kind: Kind | None = strawberry.field(default=None, description="An enum.")
    inner: Inner | None = strawberry.field(default=None, description="A nested input.")
    tags: list[str] | None = strawberry.field(default=None, description="A list.")


@strawberry.type(description="Root.")
class ProbeQuery:
    @strawberry.field(description="Echo.")
    def echo(self, probe: Probe) -> str:
        return repr(probe)


def test_a_field_of_every_shape_is_built_as_strawberry_builds_it():
    schema = strawberry.Schema(query=ProbeQuery)
    inputs.build_directly(schema)
    definition = Probe.__strawberry_definition__
    builder = definition.from_input
    values = [{}, {"plainName": "a", "count": 5, "kind": Kind.ONE, "inner": {"label": "x"}, "tags": ["t"]},
              {"kind": "one", "inner": None}]
    try:
        for value in values:
            direct = convert_argument(value, Probe, schema.schema_converter.scalar_registry, schema.config)
            definition.from_input = None
            walked = convert_argument(value, Probe, schema.schema_converter.scalar_registry, schema.config)
            definition.from_input = builder
            assert direct == walked, value
        assert direct.inner is None and direct.kind == walked.kind
    finally:
        definition.from_input = None
