"""The WebSocket transport (graphql-transport-ws) applies the rules HTTP does: the same
validation, limits and hints, the same reading rules."""

import dataclasses

from tests.graphql.test_access import NESTED, _seed
from tests.support import make_client


async def _run(api, query: str, payload: dict | None = None) -> list[dict]:
    """The messages one operation sends back over graphql-transport-ws, up to its end."""
    async with api.client.ws_connect("/graphql", protocols=("graphql-transport-ws",)) as socket:
        await socket.send_json({"type": "connection_init", "payload": payload or {}})
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        messages = []
        while not messages or messages[-1]["type"] not in ("complete", "error"):
            messages.append(await socket.receive_json(timeout=5))
        return messages


def _errors(messages: list[dict]) -> list[dict]:
    first = messages[0]
    return first["payload"] if first["type"] == "error" else first["payload"].get("errors", [])


async def test_documents_over_the_limits_are_refused_as_over_http(api):
    [error] = _errors(await _run(api, "{ " + " ".join(f"a{i}: __typename" for i in range(15)) + " b: __typename }"))
    assert "aliases" in error["message"]
    fields = "{ " + " ".join("__typename" for _ in range(101)) + " }"
    assert _errors(await _run(api, fields))[0]["extensions"]["code"] == "QUERY_TOO_LARGE"
    million = "{ devices(first: 100) { nodes { sessions(first: 100) { nodes { user { sessions(first: 100) { nodes { id } } } } } } } }"
    assert _errors(await _run(api, million))[0]["extensions"]["code"] == "QUERY_TOO_LARGE"


async def test_no_suggestions_and_no_introspection_when_it_is_off(aiohttp_client, settings):
    api = await make_client(aiohttp_client, dataclasses.replace(settings, introspection=False))
    errors = _errors(await _run(api, "{ devicez }"))
    assert "Cannot query field 'devicez'" in errors[0]["message"] and "Did you mean" not in str(errors)
    assert "introspection" in _errors(await _run(api, "{ __schema { types { name } } }"))[0]["message"].lower()


async def test_reading_rules_hold_over_the_socket(api):
    # The socket's credentials are those of its connection_init payload.
    seeded = await _seed(api)
    async with api.client.ws_connect("/graphql", protocols=("graphql-transport-ws",)) as socket:
        await socket.send_json({"type": "connection_init", "payload": {
            "authorization": f"Bearer {seeded.staff_token}", "deviceToken": seeded.register_token}})
        assert (await socket.receive_json(timeout=5))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": NESTED}})
        result = await socket.receive_json(timeout=5)
    assert result["payload"]["data"] == {"viewer": {"device": None}}
    assert {e["extensions"]["code"] for e in result["payload"]["errors"]} == {"FORBIDDEN"}
    assert seeded.code_value.replace("-", "") not in str(result).replace("-", "")
