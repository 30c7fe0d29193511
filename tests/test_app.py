"""Transport-level behaviour: health, GraphiQL, client addresses, sessions."""

from datetime import timedelta

from gateway.models import Session
from gateway.services.clock import utcnow
from tests.support import login, new_org


async def test_healthz(api):
    response = await api.client.get("/healthz")
    assert response.status == 200 and (await response.json()) == {"status": "ok"}


async def test_graphiql_is_served_to_browsers(api):
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status == 200 and "graphiql" in (await response.text()).lower()


async def test_wrong_password_and_unknown_user_look_the_same(api):
    await new_org(api)
    doc = "mutation($u: String!) { loginWithPassword(input: {username: $u, password: \"wrong password\"}) { token userErrors { code message } } }"
    wrong = await api.data(doc, {"u": "admin"})
    unknown = await api.data(doc, {"u": "nobody"})
    assert wrong == unknown
    assert wrong["loginWithPassword"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_session_token_is_stored_hashed_and_logout_ends_it(api):
    org = await new_org(api)
    session = await Session.get(organisation_id=org.id)
    assert org.token not in session.token_hash
    logout = await api.data("mutation { logout { session { active endReason } } }", token=org.token)
    assert logout["logout"]["session"] == {"active": False, "endReason": "LOGOUT"}
    assert (await api.data("{ viewer { user { id } } }", token=org.token)) == {"viewer": None}


async def test_idle_and_absolute_expiry(api):
    org = await new_org(api)
    await Session.filter(organisation_id=org.id).update(last_seen_at=utcnow() - timedelta(minutes=16))
    assert (await api.data("{ viewer { user { id } } }", token=org.token)) == {"viewer": None}
    assert (await Session.get(organisation_id=org.id)).end_reason == "IDLE_TIMEOUT"
    token = await login(api, "admin")
    await Session.filter(ended_at=None).update(expires_at=utcnow() - timedelta(seconds=1))
    assert (await api.data("{ viewer { user { id } } }", token=token)) == {"viewer": None}
    assert await Session.filter(end_reason="MAX_LIFETIME").count() == 1


async def test_session_records_peer_address_and_user_agent(api):
    await new_org(api)
    await api.data('mutation { loginWithPassword(input: {username: "admin", password: "correct horse battery"}) { token } }',
                   headers={"User-Agent": "RegisterApp/1.0", "X-Forwarded-For": "203.0.113.9"})
    session = await Session.all().order_by("-id").first()
    # The forwarded address is ignored: the peer is not a trusted proxy.
    assert session.ip_address == "127.0.0.1" and session.user_agent == "RegisterApp/1.0"
