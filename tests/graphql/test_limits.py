"""Document limits and error masking."""

from gateway.models import ConnectionCode
from gateway.services import configurations
from tests.support import code, configuration, new_org


async def test_two_auth_mutations_in_one_document_run_none(api):
    org = await new_org(api)
    created = await code(api, org, await configuration(api, org))
    doc = """mutation($c: String!) { a: devicePair(input: {code: $c}) { deviceToken }
                                     b: devicePair(input: {code: $c}) { deviceToken } }"""
    body = await api.post(doc, {"c": created["code"]})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_AUTH_ATTEMPTS"
    assert (await ConnectionCode.get(id=1)).use_count == 0


async def test_auth_mutations_hidden_in_a_repeated_fragment_count_twice(api):
    doc = """mutation { ...P ...Q }
             fragment P on Mutation { devicePair(input: {code: "1"}) { deviceToken } }
             fragment Q on Mutation { ...P }"""
    body = await api.post(doc)
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_AUTH_ATTEMPTS"


async def test_one_auth_mutation_is_fine(api):
    body = await api.post('mutation { devicePair(input: {code: "1"}) { userErrors { code } } }')
    assert body["data"]["devicePair"]["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_more_than_15_aliases_are_refused(api):
    body = await api.post("{ " + " ".join(f"a{i}: deviceTypes {{ key }}" for i in range(16)) + " }")
    assert "aliases" in body["errors"][0]["message"]
    ok = await api.post("{ " + " ".join(f"a{i}: deviceTypes {{ key }}" for i in range(15)) + " }")
    assert "errors" not in ok


async def test_depth_over_10_is_refused(api):
    def nested(depth: int) -> str:
        """Depth as graphql-depth-limit counts it: root fields are at depth 0."""
        inner = "id"
        for i in range(depth - 2):
            inner = f"{'pairedWith' if i % 2 == 0 else 'devices'} {{ {inner} }}"
        return f"{{ connectionCodes {{ nodes {{ {inner} }} }} }}"

    body = await api.post(nested(11))
    assert "exceeds maximum operation depth of 10" in body["errors"][0]["message"]
    body = await api.post(nested(10))
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # valid document; ran, not logged in


async def test_more_than_2000_tokens_are_refused(api):
    body = await api.post("{ " + " ".join("__typename" for _ in range(2001)) + " }")
    assert "2000" in body["errors"][0]["message"] and body["data"] is None


async def test_array_batching_is_refused(api):
    response = await api.client.post("/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert response.status == 400


async def test_graphiql_introspection_is_not_limited_by_depth(api):
    from graphql import get_introspection_query

    body = await api.post(get_introspection_query(descriptions=True))
    assert "errors" not in body and body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_unexpected_errors_are_masked_and_logged(api, monkeypatch, caplog):
    org = await new_org(api)

    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals at /srv/pairgate")

    monkeypatch.setattr(configurations, "list_page", broken)
    body = await api.post("{ configurations { nodes { id } } }", token=org.token)
    assert body["_status"] == 200  # a bug, not an outage: no 503 asking the client to try again
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(body) and "Traceback" not in str(body)
    assert "secret internals" in caplog.text


async def test_introspection_and_graphiql_can_be_turned_off(aiohttp_client, settings):
    import dataclasses

    from tests.support import make_client

    api = await make_client(aiohttp_client, dataclasses.replace(settings, introspection=False))
    body = await api.post("{ __schema { types { name } } }")
    assert "introspection" in body["errors"][0]["message"].lower()
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status != 200 or "graphiql" not in (await page.text()).lower()
