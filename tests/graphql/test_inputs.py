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


def _both_ways(schema, definition, value) -> tuple:
    """(built by our builder, built by Strawberry's own walk) from one input value."""
    registry, builder = schema.schema_converter.scalar_registry, definition.from_input
    direct = convert_argument(value, definition.origin, registry, schema.config)
    definition.from_input = None
    try:
        return direct, convert_argument(value, definition.origin, registry, schema.config)
    finally:
        definition.from_input = builder


def test_every_input_type_builds_what_strawberry_builds():
    schema = _schema()
    checked = 0
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if not (isinstance(definition, StrawberryObjectDefinition) and definition.is_input):
            continue
        assert getattr(definition.from_input, "pairgate", False), definition.name
        for value in _values(definition, schema.config.name_converter):
            direct, walked = _both_ways(schema, definition, value)
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
    assert getattr(definition.from_input, "pairgate", False)
    values = [{}, {"plainName": "a", "count": 5, "kind": Kind.ONE, "inner": {"label": "x"}, "tags": ["t"]},
              {"kind": "one", "inner": None}]
    try:
        for value in values:
            direct, walked = _both_ways(schema, definition, value)
            assert direct == walked, value
        assert direct.inner is None and direct.kind == walked.kind
    finally:
        definition.from_input = None
