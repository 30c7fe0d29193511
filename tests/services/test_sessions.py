"""Ending sessions: once, whoever gets there first."""

from gateway.models import Session
from gateway.services import sessions
from tests.support import new_org


async def test_a_session_ends_once_and_then_says_how(api):
    org = await new_org(api)
    mine = await Session.get(user_id=org.admin.id)
    assert await sessions.end(await Session.get(id=mine.id), sessions.EndReason.ENDED_BY_ADMIN)
    # Another request still holding the session as it was live: nothing changes, and it learns why it ended.
    assert not await sessions.end(mine, sessions.EndReason.LOGOUT)
    assert mine.end_reason == "ENDED_BY_ADMIN"
    assert (await Session.get(id=mine.id)).end_reason == "ENDED_BY_ADMIN"
