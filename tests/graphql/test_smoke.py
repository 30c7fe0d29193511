from tests.support import new_org


async def test_viewer_after_login(api):
    org = await new_org(api)
    data = await api.data("{ viewer { user { username role } organisation { name } } }", token=org.token)
    assert data["viewer"] == {"user": {"username": "admin", "role": "ADMIN"}, "organisation": {"name": "Bistro"}}
