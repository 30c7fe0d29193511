"""The hand-written reads of services/hot.py build the same models Tortoise would."""

from gateway.models import Device, Organisation, Session, Throttle, User
from gateway.services import hot
from tests.support import add_pin_user, approved_register, enable_pins, new_org, pin_login

PARTS = ((Session, "s"), (User, "u"), (Device, "d"), (Organisation, "o"), (Throttle, "t"))


def _reprs(instance) -> dict:
    return {key: repr(value) for key, value in vars(instance).items()}


async def test_rows_become_the_models_tortoise_builds(api):
    org = await new_org(api)
    await enable_pins(api, org)
    await add_pin_user(api, org, "sam", "24680")
    device = await approved_register(api, org)
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
    org = await new_org(api)
    await enable_pins(api, org)
    await add_pin_user(api, org, "sam", "24680")
    device = await approved_register(api, org)
    built = []
    opened = hot._opened
    monkeypatch.setattr(hot, "_opened", lambda *args: built.append(opened(*args)) or built[-1])
    assert (await pin_login(api, "24680", device))["userErrors"] == []
    assert len(built) == (1 if backend == "postgres" else 0)
    for session in built:
        stored = await Session.get(id=session.id)
        ours = {key: value for key, value in vars(session).items() if key not in ("_user", "_organisation")}
        assert ours == vars(stored)
