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
        """`id` at ``depth``, as graphql-depth-limit counts it: root fields are at depth 0."""
        # first: 1 keeps the node limit out of it (each code pairs up to 100 devices)
        cycle = ["devices(first: 1)", "nodes", "pairedWith"]
        inner = "id"
        for field in reversed(["connectionCodes", "nodes"] + [cycle[i % 3] for i in range(depth - 2)]):
            inner = f"{field} {{ {inner} }}"
        return f"{{ {inner} }}"

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


# The document: 100 devices x 100 sessions x 1 user x 100 sessions.
MILLION = ("{ devices(first: 100) { nodes { sessions(first: 100) { nodes { user {"
           " sessions(first: 100) { nodes { id } } } } } } } }")
# 1 connection + 99 x (a device, its sessions' connection, 100 x (a session and its user)) = 19,999 objects.
JUST_UNDER = "{ devices(first: 99) { nodes { sessions(first: 100) { nodes { user { id } } } } } }"
# 1 connection + 100 x (a user, its sessions' connection, 100 sessions) = 10,201 objects.
USERS_SESSIONS = "users(first: 100) { nodes { sessions(first: 100) { nodes { id } } } }"


def _too_large(body: dict) -> dict:
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE", error
    return error["extensions"]


async def test_a_million_node_document_is_refused_before_any_sql(api):
    org = await new_org(api)
    body = await api.post(MILLION, token=org.token)
    assert _too_large(body) == {"code": "QUERY_TOO_LARGE", "nodes": 1_030_201, "maxNodes": 20_000}
    assert body["extensions"]["sql"]["queries"] == 0


async def test_a_document_just_under_the_node_limit_runs(api):
    org = await new_org(api)
    body = await api.post(JUST_UNDER, token=org.token)
    assert "errors" not in body and body["data"]["devices"]["nodes"] == []
    one_more = await api.post(JUST_UNDER.replace("first: 99", "first: 100"), token=org.token)
    assert _too_large(one_more)["nodes"] == 20_201


async def test_aliases_and_fragments_multiply_nodes(api):
    org = await new_org(api)
    assert "errors" not in await api.post("{ " + USERS_SESSIONS + " }", token=org.token)
    twice = await api.post(f"{{ a: {USERS_SESSIONS} b: {USERS_SESSIONS} }}", token=org.token)
    assert _too_large(twice)["nodes"] == 2 * 10_201
    # A fragment counts under every item of the list it is spread in: 1 + 2 x (1 + 1 + 100 x (1 + 1 + 1 + 100)).
    spread = """{ devices(first: 2) { nodes { ...S } } }
                fragment S on Device { sessions(first: 100) { nodes { user { sessions(first: 100) { nodes { id } } } } } }"""
    assert _too_large(await api.post(spread, token=org.token))["nodes"] == 20_605
    assert "errors" not in await api.post(spread.replace("first: 2", "first: 1"), token=org.token)


async def test_a_variable_first_counts_as_100(api):
    org = await new_org(api)
    doc = "query($n: Int) { devices(first: $n) { nodes { sessions(first: 100) { nodes { user { id } } } } } }"
    assert _too_large(await api.post(doc, {"n": 1}, token=org.token))["nodes"] == 20_201
    assert "errors" not in await api.post(doc.replace("$n)", "99)").replace("($n: Int)", ""), token=org.token)


async def test_edges_and_nodes_both_selected_count_both(api):
    org = await new_org(api)
    edges = "edges { node { sessions(first: 100) { nodes { id } } } }"
    nodes = "nodes { sessions(first: 100) { nodes { id } } }"
    assert "errors" not in await api.post(f"{{ devices(first: 100) {{ {edges} }} }}", token=org.token)
    assert "errors" not in await api.post(f"{{ devices(first: 100) {{ {nodes} }} }}", token=org.token)
    # The answer holds both: 1 + 100 edges x (1 + 1 + 1 + 100) + 100 nodes x (1 + 1 + 100).
    both = await api.post(f"{{ devices(first: 100) {{ {edges} {nodes} }} }}", token=org.token)
    assert _too_large(both)["nodes"] == 20_501


async def test_too_many_fields_are_refused_before_validation(api):
    body = await api.post("{ " + " ".join(["__typename"] * 2000) + " }")
    assert body["errors"][0]["message"]  # the token limit comes first
    body = await api.post("{ " + " ".join(["viewer { __typename }"] * 51) + " }")
    assert _too_large(body) == {"code": "QUERY_TOO_LARGE", "fields": 102, "maxFields": 100}
    assert body["extensions"]["sql"]["queries"] == 0
    ok = await api.post("{ " + " ".join(["viewer { __typename }"] * 50) + " }")
    assert "errors" not in ok


async def test_fragments_spread_many_times_count_each_time(api):
    # Each fragment spreads the next twice: eight levels double to 512 copies of one field.
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(8))
    body = await api.post("{ ...F0 } " + chain + " fragment F8 on Query { __typename }")
    assert _too_large(body) == {"code": "QUERY_TOO_LARGE", "expandedFields": 767, "maxExpandedFields": 600}


async def test_graphiql_introspection_query_passes_every_limit(api):
    from graphql import get_introspection_query

    query = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                    schema_description=True, input_value_deprecation=True)
    body = await api.post(query)
    assert "errors" not in body and body["data"]["__schema"]["types"]


# An enum value in variables is checked while executing: the same switch applies there.
WRONG_ENUM = "query($s: DeviceStatus) { devices(status: $s) { nodes { id } } }"


async def test_field_suggestions_are_given_while_introspection_is_on(api):
    assert "Did you mean" in (await api.post("{ devicez }"))["errors"][0]["message"]
    assert "Did you mean" in (await api.post(WRONG_ENUM, {"s": "APROVED"}))["errors"][0]["message"]


async def test_field_suggestions_go_off_with_introspection(aiohttp_client, settings):
    import dataclasses

    from tests.support import make_client

    api = await make_client(aiohttp_client, dataclasses.replace(settings, introspection=False))
    body = await api.post("{ devicez }")
    assert "Cannot query field 'devicez'" in body["errors"][0]["message"]
    assert "Did you mean" not in str(body)
    body = await api.post(WRONG_ENUM, {"s": "APROVED"})
    assert body["errors"] and "Did you mean" not in str(body)


async def test_a_fragment_cycle_is_reported_not_looped(api):
    body = await api.post("{ ...A } fragment A on Query { devices { nodes { ...B } } } fragment B on Device { ...A }")
    assert body["data"] is None and "Cannot spread fragment" in str(body["errors"])
