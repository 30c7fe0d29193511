"""The HTTP side of /graphql: methods, bodies, GET queries, caching of documents."""

import json

from gateway.graphql.http import GraphQLHandler


async def test_get_runs_queries_but_not_mutations(api):
    ok = await api.client.get("/graphql", params={"query": "{ deviceTypes { key } }"})
    assert ok.status == 200 and (await ok.json())["data"]["deviceTypes"][0] == {"key": "POS"}
    mutation = await api.client.get("/graphql", params={"query": "mutation { logout { userErrors { code } } }"})
    assert mutation.status == 405


async def test_bad_requests_are_clear(api):
    for body, status in ((b"not json", 400), (b"[]", 400), (b"42", 400), (b'{"query": ""}', 400),
                         (b'{"query": "{ __typename }", "variables": [1]}', 400)):
        response = await api.client.post("/graphql", data=body, headers={"Content-Type": "application/json"})
        assert response.status == status, body
        assert (await response.json())["errors"][0]["message"]
    assert (await api.client.put("/graphql", data=b"{}")).status == 405


async def test_syntax_and_validation_errors_come_back_without_running(api):
    syntax = await api.post("{ deviceTypes { key }")
    assert syntax["data"] is None and "Syntax Error" in syntax["errors"][0]["message"]
    unknown = await api.post("{ nope }")
    assert "Cannot query field 'nope'" in unknown["errors"][0]["message"]
    assert unknown["extensions"]["sql"]["queries"] == 0


async def test_each_distinct_document_is_parsed_and_validated_once(api):
    handler: GraphQLHandler = next(r.handler.__self__ for r in api.client.app.router.routes()
                                   if getattr(r.handler, "__self__", None) is not None)
    before = handler.validator.prepare.cache_info()
    for _ in range(3):
        await api.post("{ deviceTypes { label } }")
    after = handler.validator.prepare.cache_info()
    assert after.misses - before.misses == 1 and after.hits - before.hits == 2
    assert after.maxsize == 1024


async def test_an_error_quoting_a_lone_surrogate_is_json_not_a_500(api):
    """JSON may carry "\\udfff", and error messages quote what was sent (a variable's value, an
    operation's name); UTF-8 cannot encode a lone surrogate, so such answers once failed as HTTP 500."""
    for payload in ({"query": "query($t: DateTime) { __typename }", "variables": {"t": "x\udfffy"}},
                    {"query": "{ __typename }", "operationName": "\ud800"}):
        response = await api.client.post("/graphql", data=json.dumps(payload),  # ensure_ascii: escaped, as sent
                                         headers={"Content-Type": "application/json"})
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        body = await response.json()
        assert body["data"] is None and body["errors"][0]["message"]
    plain = await api.client.post("/graphql", json={"query": "{ __typename }", "operationName": "café"})
    assert "'café'" in await plain.text()  # text UTF-8 can encode is sent as it is, not escaped
