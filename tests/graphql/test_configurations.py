"""Configurations: create, update, list, delete (refused while in use)."""

from gateway.models import Configuration
from tests.support import CREATE_CONFIGURATION, REVOKE_CODE, code, configuration, new_org, pair

UPDATE = """mutation($input: ConfigurationUpdateInput!) {
  configurationUpdate(input: $input) { configuration { id name description } userErrors { field code message } }
}"""
DELETE = """mutation($input: ConfigurationDeleteInput!) {
  configurationDelete(input: $input) { configuration { id } userErrors { field code message } }
}"""
LIST = "{ configurations { nodes { id name description devices { nodes { id } } } } }"


async def test_create_update_and_list(api):
    org = await new_org(api)
    created = await api.data(CREATE_CONFIGURATION, {"input": {"name": " Bar ", "description": "Drinks only"}}, token=org.token)
    config = created["configurationCreate"]["configuration"]
    assert config["name"] == "Bar" and config["description"] == "Drinks only"
    updated = await api.data(UPDATE, {"input": {"id": config["id"], "name": "Terrace"}}, token=org.token)
    assert updated["configurationUpdate"]["configuration"] == {"id": config["id"], "name": "Terrace",
                                                               "description": "Drinks only"}
    listed = await api.data(LIST, token=org.token)
    assert listed["configurations"]["nodes"] == [{"id": config["id"], "name": "Terrace",
                                                  "description": "Drinks only", "devices": {"nodes": []}}]


async def test_name_is_required_and_unique(api):
    org = await new_org(api)
    missing = await api.data(CREATE_CONFIGURATION, {"input": {"description": "x"}}, token=org.token)
    assert [(e["code"], e["field"]) for e in missing["configurationCreate"]["userErrors"]] == [("REQUIRED", ["input", "name"])]
    await configuration(api, org, "Bar")
    taken = await api.data(CREATE_CONFIGURATION, {"input": {"name": "Bar"}}, token=org.token)
    assert taken["configurationCreate"]["userErrors"][0]["code"] == "TAKEN"
    other = await configuration(api, org, "Kitchen")
    renamed = await api.data(UPDATE, {"input": {"id": other, "name": "Bar"}}, token=org.token)
    assert renamed["configurationUpdate"]["userErrors"][0]["code"] == "TAKEN"
    assert await Configuration.all().count() == 2


async def test_delete_is_refused_while_in_use(api):
    org = await new_org(api)
    config_id = await configuration(api, org)
    created = await code(api, org, config_id)
    await pair(api, created["code"])
    refused = await api.data(DELETE, {"input": {"id": config_id}}, token=org.token)
    errors = refused["configurationDelete"]["userErrors"]
    assert [e["code"] for e in errors] == ["IN_USE"] and "1 active connection code(s) and 1 device(s)" in errors[0]["message"]
    await api.data(REVOKE_CODE, {"input": {"id": created["id"], "revokeDevices": True}}, token=org.token)
    deleted = await api.data(DELETE, {"input": {"id": config_id}}, token=org.token)
    assert deleted["configurationDelete"]["userErrors"] == []
    assert (await api.data(LIST, token=org.token))["configurations"]["nodes"] == []
    # The revoked code still shows the profile it carried.
    node = await api.data("query($id: ID!) { node(id: $id) { ... on ConnectionCode { configuration { id } } } }",
                          {"id": created["id"]}, token=org.token)
    assert node["node"]["configuration"] == {"id": config_id}
    again = await api.data(DELETE, {"input": {"id": config_id}}, token=org.token)
    assert again["configurationDelete"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_foreign_and_malformed_ids_are_not_found(api):
    first = await new_org(api, "First", "first")
    config_id = await configuration(api, first)
    second = await new_org(api, "Second", "second")
    for some_id in (config_id, "not-an-id", "RGV2aWNlOjE"):
        result = await api.data(UPDATE, {"input": {"id": some_id, "name": "Mine"}}, token=second.token)
        assert result["configurationUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await Configuration.get(id=1)).name == "Front counter"
