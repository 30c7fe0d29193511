"""The benchmark's organisations: one with an admin session, 100 devices with sessions, a PIN user, 32 approved
registers and a code; 8 more with a PIN user and 4 registers each."""

from __future__ import annotations

import json
from datetime import timedelta

from gateway import db
from gateway.models import AuthMethod, Device, DeviceState, LoginMethod, Organisation, Session, User
from gateway.plugins import get_plugin_manager
from gateway.services import auth, codes, configurations, organisations, pins
from gateway.services.actor import Actor, Client
from gateway.services.clock import utcnow
from gateway.services.runtime import Runtime
from gateway.services.tokens import hash_token, new_token
from gateway.settings import Settings

ADMIN_PASSWORD = "bench admin password"
PIN = "24680"
REGISTERS = 32
# The product's load comes from many restaurants with a few registers each; a PIN login
# holds its organisation's PIN budget, so one organisation's logins take turns. The main
# scenario spreads its registers over this many organisations (4 registers each); another
# puts all of them in one, the worst case.
RESTAURANTS = 8


async def seed(settings: Settings) -> dict:
    """Everything the scenarios need, as tokens and values."""
    await db.migrate(settings)
    ctx = await db.open_database(settings)
    try:
        runtime = Runtime.build(settings, get_plugin_manager(load_entry_points=False))
        name = f"bench-{new_token()[:8]}"
        organisation, admin = await organisations.create_organisation(name, name, ADMIN_PASSWORD)
        await Organisation.filter(id=organisation.id).update(pin_login_enabled=True, session_idle_minutes=1440)
        login = await auth.login_with_password(Client(ip_address="127.0.0.1"), name, ADMIN_PASSWORD)
        admin.organisation = await Organisation.get(id=organisation.id)
        actor = Actor(client=Client(ip_address="127.0.0.1"), session=login.session, user=admin)
        configuration = await configurations.create(actor, "Bench", "")
        code = await codes.create(actor, runtime, codes.NewCode("Bench register", "POS", configuration.id,
                                                                utcnow() + timedelta(days=30)))
        # One register per wrk connection: a register is one person at a time, and its row
        # rightly serialises the attempts made on it.
        one_restaurant = await _registers(settings, organisation.id, REGISTERS)
        restaurants = [await _registers(settings, (await organisations.create_organisation(
            f"{name}-{n}", f"{name}-{n}", ADMIN_PASSWORD))[0].id, REGISTERS // RESTAURANTS)
            for n in range(RESTAURANTS)]
        register_tokens = [token for four in zip(*restaurants) for token in four]  # neighbours in different ones
        now = utcnow()
        await Device.bulk_create([
            Device(organisation_id=organisation.id, name=f"Till {i}", device_type="POS", state=DeviceState.APPROVED,
                   token_hash=hash_token(new_token()), configuration_id=configuration.id, approved_at=now)
            for i in range(100)])
        tills = await Device.filter(organisation_id=organisation.id, name__startswith="Till ")
        await Session.bulk_create([
            Session(organisation_id=organisation.id, user_id=admin.id, device_id=d.id, method=AuthMethod.PIN,
                    token_hash=hash_token(new_token()), last_seen_at=now, expires_at=now + timedelta(hours=1))
            for d in tills for _ in range(2)])
        return {"admin_token": login.token, "register_tokens": register_tokens,
                "one_restaurant_register_tokens": one_restaurant, "pin": PIN,
                "code": codes.display(code.value)}
    finally:
        await db.close_database(ctx)


async def _registers(settings: Settings, organisation_id: int, count: int) -> list[str]:
    """PIN login on, the staff member whose PIN is PIN, and ``count`` approved registers: their tokens."""
    await Organisation.filter(id=organisation_id).update(pin_login_enabled=True)
    await User.create(organisation_id=organisation_id, username=f"staff-{organisation_id}", display_name="Staff",
                      role="STAFF", login_method=LoginMethod.PIN_ONLY,
                      pin_hmac=pins.pin_hmac(settings.secret_key, organisation_id, PIN),
                      pin_key_id=pins.key_id(settings.secret_key))
    tokens = [new_token() for _ in range(count)]
    await Device.bulk_create([
        Device(organisation_id=organisation_id, name=f"Register {i}", device_type="POS", state=DeviceState.APPROVED,
               token_hash=hash_token(token), approved_at=utcnow()) for i, token in enumerate(tokens)])
    return tokens


if __name__ == "__main__":
    import asyncio

    print(json.dumps(asyncio.run(seed(Settings.from_env()))))
