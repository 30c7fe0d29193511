"""The hand-written statements of services/hot.py: they build the same models Tortoise would, and the
PIN check hands on the device as the database holds it, reading it again only when it changed."""

import asyncio

import pytest

from gateway.models import AuditLog, Device, Organisation, Session, Throttle, User
from gateway.services import auth, hot
from gateway.services.tokens import hash_token
from tests.support import add_pin_user, approved_register, make_client, pin_login, pin_ready

PARTS = ((Session, "s"), (User, "u"), (Device, "d"), (Organisation, "o"), (Throttle, "t"))


def _reprs(instance) -> dict:
    return {key: repr(value) for key, value in vars(instance).items()}


async def test_rows_become_the_models_tortoise_builds(api):
    _, device = await pin_ready(api)
    await pin_login(api, "13579", device)  # a wrong PIN: the device has a count and a window
    await pin_login(api, "24680", device)
    [row] = await hot._rows(Session, (
        f"SELECT {', '.join(hot._columns(model, alias) for model, alias in PARTS)} FROM \"session\" s "
        'JOIN "app_user" u ON u."id" = s."user_id" JOIN "device" d ON d."id" = s."device_id" '
        'JOIN "organisation" o ON o."id" = s."organisation_id" LEFT JOIN "throttle" t ON FALSE WHERE s."method" = \'PIN\''))
    built = hot._split(row, *PARTS)
    assert built[-1] is None  # the empty side of an outer join
    for (model, alias), instance in zip(PARTS[:-1], built):
        expected = model._init_from_db(**{column: row[f"{alias}__{column}"] for column in model._meta.db_fields})
        # repr: the same values of the same types, time zones included (aware datetimes compare equal across zones)
        assert type(instance) is model and _reprs(instance) == _reprs(expected), model.__name__
    session = built[0]
    assert session.method.value == "PIN" and session.created_at.tzinfo is not None

    # Relations set as Tortoise's own setter sets them.
    session, user, device, organisation = built[:4]
    by_tortoise = hot._split(row, *PARTS[:3])
    by_tortoise[0].user, by_tortoise[0].organisation, by_tortoise[2].organisation = user, organisation, organisation
    hot._relate(session, user=user, organisation=organisation)
    hot._relate(device, organisation=organisation)
    assert vars(session) == vars(by_tortoise[0]) and vars(device) == vars(by_tortoise[2])
    assert session.user is user and device.organisation is organisation


async def test_a_pin_session_built_from_its_values_is_the_row_inserted(api, backend, monkeypatch):
    """On PostgreSQL the login statement returns only the new session's id (services/hot.py, _opened)."""
    _, device = await pin_ready(api)
    built = []
    opened = hot._opened
    monkeypatch.setattr(hot, "_opened", lambda *args: built.append(opened(*args)) or built[-1])
    assert (await pin_login(api, "24680", device))["userErrors"] == []
    assert len(built) == (1 if backend == "postgres" else 0)
    for session in built:
        stored = await Session.get(id=session.id)
        ours = {key: value for key, value in vars(session).items() if key not in ("_user", "_organisation")}
        assert ours == vars(stored)


DEVICE_NAME = """mutation($pin: String!) {
  loginWithPin(input: {pin: $pin}) { session { device { name } } userErrors { code } }
}"""


async def test_a_pin_login_reads_the_device_again_only_when_its_row_changed(api, backend, monkeypatch):
    """On PostgreSQL the claim compares the row's version (xmin) with the one the process holds;
    the device a login hands on is always the row as the statement left it."""
    _, token = await pin_ready(api)
    checks = _recorded_checks(monkeypatch)

    async def login(pin: str, name: str | None = "Till 1") -> bool:
        answer = (await api.data(DEVICE_NAME, {"pin": pin}, device_token=token))["loginWithPin"]
        assert (answer["session"] or {}).get("device") == ({"name": name} if name else None), answer
        current = checks[-1].current.device
        stored = await Device.get(id=current.id)
        assert _values(current) == _values(stored)  # what the process keeps as its hint is the row
        return checks[-1].reread

    assert await login("24680") is False  # first login: the device was just read
    assert await login("13579", name=None) is False  # a wrong PIN: counted, and the new version kept
    assert await login("24680") is False  # the count cleared
    await Device.filter(id=checks[-1].current.device.id).update(name="Bar")  # another process's write
    assert await login("24680", name="Bar") is (backend == "postgres")
    assert await login("24680", name="Bar") is False


def _recorded_checks(monkeypatch) -> list:
    """Every ``hot.pin_check`` the test's logins make, as returned, in order."""
    checks = []
    pin_check = hot.pin_check

    async def recorded(*args):
        checks.append(await pin_check(*args))
        return checks[-1]

    monkeypatch.setattr(hot, "pin_check", recorded)
    return checks


def _values(device: Device) -> dict:
    return {key: value for key, value in vars(device).items() if key not in ("_organisation", "_await_when_save")}


async def test_a_lost_claim_writes_nothing_and_the_login_decides_again_on_the_row(api, monkeypatch):
    """A hint gone stale behind the process's back loses its claim; the retry reads the device again."""
    _, token = await pin_ready(api)
    checks = _recorded_checks(monkeypatch)
    assert (await pin_login(api, "24680", token))["userErrors"] == []  # the process keeps the device as a hint
    await Device.filter(token_hash=hash_token(token)).update(pin_failures=3)  # another process counted failures
    assert (await pin_login(api, "24680", token))["userErrors"] == []
    lost, retry = checks[-2:]
    assert not lost.claimed and lost.user is None and lost.session is None
    assert retry.claimed and retry.seen.device.pin_failures == 3  # decided on the row, not on the hint
    assert retry.current.device.pin_failures == 0 == (await Device.get(id=retry.current.device.id)).pin_failures
    assert await Session.filter(method="PIN").count() == 2


def test_the_pin_statement_writes_the_login_methods_into_its_sql():
    assert "IN ('PIN_ONLY', 'PASSWORD_AND_PIN')" in hot._pin_check_sql(("PIN_ONLY", "PASSWORD_AND_PIN"), 1)


@pytest.mark.parametrize("bad", ["PIN'); DROP TABLE session; --", "PIN ONLY", "PÏN", ""])
def test_the_pin_statement_takes_only_plain_words_as_login_methods(bad):
    with pytest.raises(ValueError):
        hot._pin_check_sql(("PIN_ONLY", bad), 1)


async def test_pin_logins_that_queue_are_written_together_each_with_its_own_outcome(
        aiohttp_client, postgres_settings, monkeypatch):
    """The claims that queue while others are written go out as one statement (services/group_commit.py):
    each login still gets its own session and audit row, or its own count on its own device."""
    api = await make_client(aiohttp_client, postgres_settings)
    org, first = await pin_ready(api)
    await add_pin_user(api, org, "kim", "11223", method="PASSWORD")  # a right PIN, but no PIN session for kim
    registers = [first] + [await approved_register(api, org, f"Till {n}") for n in range(2, 9)]
    for token in registers:  # the process keeps each device as a hint: a login is then its claim alone
        assert (await pin_login(api, "24680", token))["userErrors"] == []
    pins = ["24680", "13579", "24680", "11223", "24680", "97531", "24680", "24680"]
    sizes, gate, write = [], asyncio.Event(), hot._write_claims

    async def held(methods, connection, claims):
        sizes.append(len(claims))
        if len(sizes) <= hot.CLAIMS_AT_ONCE:
            await gate.wait()  # the first statements wait until the other logins have queued behind them
        return await write(methods, connection, claims)

    monkeypatch.setattr(hot, "_write_claims", held)
    logins = [asyncio.ensure_future(pin_login(api, pin, token)) for pin, token in zip(pins, registers)]
    group = hot._claims(hot._client(Session), auth.PIN_METHODS)
    for _ in range(2000):
        if len(group.queue) == len(pins) - hot.CLAIMS_AT_ONCE:
            break
        await asyncio.sleep(0.005)
    gate.set()
    answers = await asyncio.wait_for(asyncio.gather(*logins), 30)
    assert sizes == [1, 1, 6]

    codes = [[error["code"] for error in answer["userErrors"]] for answer in answers]
    assert codes == [[] if pin == "24680" else ["METHOD_NOT_ALLOWED"] if pin == "11223" else ["INVALID_CREDENTIALS"]
                     for pin in pins]
    devices = {device.token_hash: device for device in await Device.filter(organisation_id=org.id)}
    for pin, token in zip(pins, registers):
        device = devices[hash_token(token)]
        assert device.pin_failures == (pin not in ("24680", "11223")), device.name
        sessions = await Session.filter(device_id=device.id, method="PIN").prefetch_related("user")
        assert [session.user.username for session in sessions] == ["sam"] * (1 + (pin == "24680"))
        audits = await AuditLog.filter(device_id=device.id, type=hot.LOGIN_SUCCEEDED)
        assert [a.data["session_id"] for a in audits if a.data["method"] == "PIN"] == [x.id for x in sessions]
    tokens = {answer["token"] for answer in answers if answer["token"]}
    assert len(tokens) == pins.count("24680")
