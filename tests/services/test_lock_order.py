"""Logins racing the admin's changes never deadlock (PostgreSQL: real concurrent transactions).

Every service locks rows in one order: a device, then its organisation's PIN budget, then
a user, then sessions in id order (services/auth.py). A transaction that took two of them
the other way round would wait on one that waits on it, and PostgreSQL would kill one of
them: an INTERNAL_SERVER_ERROR for a register or an admin.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from gateway.graphql import ids
from gateway.models import Device, Session, Throttle
from gateway.services import auth
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token
from tests.support import (
    LOGIN_PIN, ORG_UPDATE, PASSWORD, approved_registers, make_client, pin_and_password_user, pin_ready,
)

LOGIN_PASSWORD = """mutation($u: String!, $p: String!) {
  loginWithPassword(input: {username: $u, password: $p}) { token userErrors { code } } }"""
RENAME = "mutation($id: ID!) { deviceRename(input: {id: $id, name: \"Renamed\"}) { userErrors { code } } }"
REVOKE = "mutation($id: ID!) { deviceRevoke(input: {id: $id}) { userErrors { code } } }"
DELETE = "mutation($id: ID!) { deviceDelete(input: {id: $id}) { userErrors { code } } }"
USER_DELETE = "mutation($id: ID!) { userDelete(input: {id: $id}) { userErrors { code } } }"


async def _soon(request):
    await asyncio.sleep(random.uniform(0, 0.05))
    return await request


async def test_pin_logins_racing_device_and_user_changes(aiohttp_client, postgres_settings):
    """120 PIN logins over 30 registers while the admin renames, revokes and deletes registers,
    deletes users and changes the organisation's settings, three times over."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, _ = await pin_ready(api)
    for round_ in range(3):
        await Throttle.all().delete()
        tokens = await approved_registers(org.id, 30)
        device_ids = {device.token_hash: device.id for device in await Device.filter(organisation_id=org.id)}
        registers = [ids.encode("Device", device_ids[hash_token(token)]) for token in tokens]
        pins = [f"{40000 + round_ * 100 + n * 7:05d}" for n in range(10)]
        users = [await pin_and_password_user(org.id, f"u{round_}_{n}", pin, postgres_settings.secret_key)
                 for n, pin in enumerate(pins)]
        logins = [_soon(api.post(LOGIN_PIN, {"pin": random.choice(pins)}, device_token=tokens[n % 30]))
                  for n in range(120)]
        changes = [_soon(api.post((RENAME, REVOKE, DELETE)[n % 3], {"id": registers[n]}, token=org.token))
                   for n in range(9)]
        changes += [_soon(api.post(USER_DELETE, {"id": ids.encode("User", user.id)}, token=org.token))
                    for user in users[:5]]
        changes += [_soon(api.post(ORG_UPDATE, {"input": {"sessionIdleMinutes": 10 + n}}, token=org.token))
                    for n in range(3)]
        results = await asyncio.gather(*logins, *changes)
        assert [body for body in results if "errors" in body] == [], round_
        assert await Session.filter(user_id__in=[user.id for user in users[:5]], ended_at=None).count() == 0


async def test_one_user_logging_in_by_password_and_by_pin_on_one_register(aiohttp_client, postgres_settings,
                                                                          monkeypatch):
    """The worst interleaving, forced: the password login holds the user's row while the PIN
    login holds the register's and wants the user's. The password login must not then wait for
    the register (it notes the register's use after it commits), or neither could go on."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, register = await pin_ready(api)
    await pin_and_password_user(org.id, "racer", "31337", postgres_settings.secret_key)
    await Device.filter(organisation_id=org.id).update(last_seen_at=utcnow() - timedelta(minutes=5))
    password_holds_user, pin_holds_register = asyncio.Event(), asyncio.Event()
    locked_user = auth._locked_user

    async def in_turn(**match):
        if "password_hash" in match:  # the password login, once its hash is checked
            user = await locked_user(**match)
            password_holds_user.set()
            await asyncio.wait_for(pin_holds_register.wait(), 10)
            return user
        pin_holds_register.set()  # the PIN login locked the register before it looks the PIN up
        await asyncio.wait_for(password_holds_user.wait(), 10)
        return await locked_user(**match)

    monkeypatch.setattr(auth, "_locked_user", in_turn)
    by_password, by_pin = await asyncio.gather(
        api.post(LOGIN_PASSWORD, {"u": "racer", "p": PASSWORD}, device_token=register),
        api.post(LOGIN_PIN, {"pin": "31337"}, device_token=register))
    assert "errors" not in by_password and "errors" not in by_pin, (by_password, by_pin)
    assert by_password["data"]["loginWithPassword"]["token"] and by_pin["data"]["loginWithPin"]["token"]
