"""Helpers for end-to-end tests through the real aiohttp app."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
from datetime import timedelta

import asyncpg
from argon2 import PasswordHasher

from gateway.graphql import ids
from gateway.models import Device, DeviceState, LoginMethod, Role, User
from gateway.services import auth, lock_screen, organisations, passwords, pins
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token, new_token
from gateway.testing import Api, make_client  # noqa: F401 (re-exported for the tests)

PASSWORD = "correct horse battery"


async def login(api: Api, username: str, password: str = PASSWORD) -> str:
    """A session token for ``username``."""
    return (await password_login(api, username, password=password))["token"]


@dataclasses.dataclass
class Org:
    id: int
    gid: str
    admin: User
    token: str


async def new_org(api: Api, name: str = "Bistro", admin: str = "admin") -> Org:
    organisation, user = await organisations.create_organisation(name, admin, PASSWORD)
    return Org(id=organisation.id, gid=ids.encode("Organisation", organisation.id), admin=user,
               token=await login(api, admin))


async def add_user(org: Org, username: str, role: Role) -> User:
    return await User.create(
        organisation_id=org.id, username=username, display_name=username.title(), role=role,
        login_method=LoginMethod.PASSWORD, password_hash=await passwords.hash_password(PASSWORD),
    )


def in_days(days: float) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


CREATE_CONFIGURATION = """
mutation($input: ConfigurationCreateInput!) {
  configurationCreate(input: $input) { configuration { id name description } userErrors { field code message } }
}"""

CREATE_CODE = """
mutation($input: ConnectionCodeCreateInput!) {
  connectionCodeCreate(input: $input) {
    connectionCode { id code status singleUse useCount deviceType description expiresAt pairingUri
                     configuration { id name } createdBy { username } }
    userErrors { field code message }
  }
}"""

PAIR = """
mutation($input: DevicePairInput!) {
  devicePair(input: $input) {
    deviceToken device { id name status deviceType configuration { id } }
    configuration { id name } userErrors { field code message retryAfterSeconds }
  }
}"""

REVOKE_CODE = """
mutation($input: ConnectionCodeRevokeInput!) {
  connectionCodeRevoke(input: $input) { connectionCode { id status revokedAt devices { nodes { id status } } } userErrors { field code message } }
}"""


async def configuration(api: Api, org: Org, name: str = "Front counter") -> str:
    data = await api.data(CREATE_CONFIGURATION, {"input": {"name": name}}, token=org.token)
    assert data["configurationCreate"]["userErrors"] == []
    return data["configurationCreate"]["configuration"]["id"]


async def code(api: Api, org: Org, configuration_id: str, **overrides) -> dict:
    values = {"description": "Bar iPad", "deviceType": "POS", "configurationId": configuration_id,
              "expiresAt": in_days(7), "singleUse": False}
    values.update(overrides)
    data = await api.data(CREATE_CODE, {"input": values}, token=org.token)
    assert data["connectionCodeCreate"]["userErrors"] == [], data
    return data["connectionCodeCreate"]["connectionCode"]


async def pair(api: Api, value: str, name: str | None = None) -> dict:
    data = await api.data(PAIR, {"input": {"code": value, "name": name}})
    return data["devicePair"]


async def paired_with(api: Api, org: Org, device_id: str) -> dict | None:
    """The code that paired a device, as its organisation's admin reads it (the device itself may not)."""
    data = await api.data("query($id: ID!) { node(id: $id) { ... on Device { pairedWith { id } } } }",
                          {"id": device_id}, token=org.token)
    return data["node"]["pairedWith"]


ORG_UPDATE = """mutation($input: OrganisationUpdateInput!) {
  organisationUpdate(input: $input) { organisation { pinLoginEnabled sessionIdleMinutes sessionMaxHours } userErrors { field code message } }
}"""
USER_CREATE = """mutation($input: UserCreateInput!) {
  userCreate(input: $input) { user { id username role loginMethod hasPin } generatedPin userErrors { field code message } }
}"""
LOGIN_PASSWORD = """mutation($u: String!, $p: String!) {
  loginWithPassword(input: {username: $u, password: $p}) { token deviceToken deviceApproval userErrors { code message } }
}"""
LOGIN_PIN = """mutation($pin: String!) {
  loginWithPin(input: {pin: $pin}) { token user { username } session { method device { id } } userErrors { field code message retryAfterSeconds } }
}"""
APPROVE = """mutation($name: String) { deviceApprove(input: {name: $name}) { device { id name status } userErrors { code message } } }"""
DECLINE = """mutation($d: Boolean!) { deviceDeclineApproval(input: {dontAskAgain: $d}) { device { id } userErrors { code } } }"""


async def enable_pins(api: Api, org: Org) -> None:
    data = await api.data(ORG_UPDATE, {"input": {"pinLoginEnabled": True}}, token=org.token)
    assert data["organisationUpdate"]["userErrors"] == []


async def add_pin_user(api: Api, org: Org, username: str, pin: str, method: str = "PIN_ONLY", role: str = "STAFF") -> dict:
    values = {"username": username, "role": role, "loginMethod": method, "pin": pin}
    if method != "PIN_ONLY":
        values["password"] = PASSWORD
    data = await api.data(USER_CREATE, {"input": values}, token=org.token)
    assert data["userCreate"]["userErrors"] == [], data
    return data["userCreate"]["user"]


async def password_login(api: Api, username: str, device_token: str | None = None, password: str = PASSWORD) -> dict:
    data = await api.data(LOGIN_PASSWORD, {"u": username, "p": password}, device_token=device_token)
    assert data["loginWithPassword"]["userErrors"] == [], data
    return data["loginWithPassword"]


async def approved_register(api: Api, org: Org, name: str = "Till 1") -> str:
    """A device approved from settings by the admin; returns its device token."""
    login = await password_login(api, org.admin.username)
    device_token = login["deviceToken"]
    data = await api.data(APPROVE, {"name": name}, token=login["token"], device_token=device_token)
    assert data["deviceApprove"]["userErrors"] == [], data
    return device_token


async def pin_ready(api: Api) -> tuple[Org, str]:
    """An organisation with PIN login on, the user "sam" whose PIN is 24680, and an approved register's token."""
    org = await new_org(api)
    await enable_pins(api, org)
    await add_pin_user(api, org, "sam", "24680")
    return org, await approved_register(api, org)


async def pin_login(api: Api, pin: str, device_token: str | None) -> dict:
    return (await api.data(LOGIN_PIN, {"pin": pin}, device_token=device_token))["loginWithPin"]


class CountPinChecks:
    """Counts PINs hashed: the gateway hashes a PIN only to look it up (a login after every
    refusal, a typed PIN after its budget's check)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        original = pins.pin_hmac

        def counting(*args):
            self.calls += 1
            return original(*args)

        monkeypatch.setattr(pins, "pin_hmac", counting)


async def approved_registers(org_id: int, count: int) -> list[str]:
    """``count`` approved registers of the organisation; their device tokens."""
    tokens = [new_token() for _ in range(count)]
    await Device.bulk_create([
        Device(organisation_id=org_id, name=f"Till {n}", device_type="POS", state=DeviceState.APPROVED,
               token_hash=hash_token(token), approved_at=utcnow())
        for n, token in enumerate(tokens)])
    return tokens


@functools.cache
def _password_hash() -> str:
    """PASSWORD, hashed once for the whole run: tests that make many users need not wait for each."""
    return PasswordHasher().hash(PASSWORD)


async def pin_and_password_user(org_id: int, username: str, pin: str, secret_key: bytes) -> User:
    """A PASSWORD_AND_PIN staff member, written directly."""
    return await User.create(organisation_id=org_id, username=username, display_name=username, role="STAFF",
                             login_method="PASSWORD_AND_PIN", password_hash=_password_hash(),
                             pin_hmac=pins.pin_hmac(secret_key, org_id, pin), pin_key_id=pins.key_id(secret_key))


async def raw_post(api: Api, header_lines: bytes, query: str) -> tuple[int, dict]:
    """A POST written byte by byte: a client library would not send header bytes that are not UTF-8."""
    body = json.dumps({"query": query}).encode()
    reader, writer = await asyncio.open_connection(api.client.server.host, api.client.server.port)
    writer.write(b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 + header_lines + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, payload = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


class Clock:
    """Stands in for the clock of the session rules (logins, the per-request lookup, the lock
    screen), so a test can let minutes pass without sleeping."""

    def __init__(self, monkeypatch) -> None:
        self.now = utcnow()
        for module in (auth, lock_screen):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# A password login's session for (organisation id, user id), as a login in flight writes it.
LOGIN_IN_FLIGHT = ("INSERT INTO session (organisation_id, user_id, method, token_hash, user_agent, created_at, "
                   "last_seen_at, expires_at) VALUES ($1, $2, 'PASSWORD', 'login-in-flight', '', now(), now(), "
                   "now() + interval '1 hour')")


async def sent_while_a_login_holds(settings, lock: str, row_id: int, request, insert: str, *values) -> dict:
    """The answer to ``request`` (a coroutine), sent while another connection, as a login does,
    holds a row (``lock``: a ``SELECT … FOR …`` of ``row_id``), then writes its session
    (``insert``, with the token hash 'login-in-flight') and commits. The request must wait for
    that login (PostgreSQL only: SQLite has no row locks)."""
    connection = await asyncpg.connect(settings.database_url.split("?")[0])
    try:
        async with connection.transaction():
            await connection.execute(lock, row_id)
            pending = asyncio.create_task(request)
            await asyncio.sleep(1)
            assert not pending.done()  # waiting for the login's lock
            await connection.execute(insert, *values)
        return await pending
    finally:
        await connection.close()
