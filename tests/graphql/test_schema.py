"""The checked-in SDL matches the code, and every type and field is described."""

from pathlib import Path

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from gateway.graphql.schema import build_schema
from gateway.plugins import get_plugin_manager
from gateway.services.runtime import Runtime
from gateway.settings import Settings

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def _schema():
    settings = Settings.from_env({}, database_url="sqlite://:memory:", secret_key="s" * 40)
    return build_schema(Runtime.build(settings, get_plugin_manager(load_entry_points=False)))


def test_checked_in_schema_is_current():
    assert SDL.read_text() == _schema().as_str() + "\n", "run `pairgate export-schema > schema/schema.graphql`"


def test_every_type_field_argument_and_enum_value_has_a_description():
    missing = []
    for name, gql_type in _schema()._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        if not gql_type.description:
            missing.append(name)
        if isinstance(gql_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in gql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


def test_binding_names_exist():
    schema = _schema()._schema
    query = set(schema.query_type.fields)
    mutation = set(schema.mutation_type.fields)
    assert {"node", "viewer", "organisation", "deviceTypes", "users", "configurations",
            "connectionCodes", "devices"} <= query
    assert {"loginWithPassword", "logout", "devicePair", "connectionCodeCreate", "connectionCodeRevoke",
            "configurationCreate", "configurationUpdate", "configurationDelete"} <= mutation
    assert set(schema.type_map["ErrorCode"].values) >= {
        "INVALID", "REQUIRED", "NOT_FOUND", "TAKEN", "EXPIRED", "REVOKED", "ALREADY_USED", "INVALID_CREDENTIALS",
        "PIN_LOGIN_DISABLED", "DEVICE_NOT_APPROVED", "METHOD_NOT_ALLOWED", "THROTTLED"}
    assert set(schema.type_map["QrFormat"].values) == {"SVG", "PNG"}
    assert list(schema.type_map["SessionEndReason"].values) == [
        "LOGOUT", "IDLE_TIMEOUT", "MAX_LIFETIME", "ENDED_BY_ADMIN", "DEVICE_REVOKED", "DEVICE_DELETED",
        "DEVICE_LOGGED_OUT", "USER_DELETED", "USER_SWITCHED", "CREDENTIALS_CHANGED"]
    assert str(schema.type_map["Session"].fields["endReason"].type) == "SessionEndReason"
    assert set(schema.type_map["DeviceType"].values) == {"POS", "CUSTOMER_DISPLAY"}
    assert isinstance(schema.type_map["DeviceType"], GraphQLEnumType)
