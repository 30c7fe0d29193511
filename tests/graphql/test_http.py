"""The HTTP side of /graphql: methods, bodies, GET queries, caching of documents."""

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
