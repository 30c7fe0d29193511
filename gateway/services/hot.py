"""Hand-written reads for the paths every request or login takes.

Tortoise builds each query anew through pypika: about 0.3-0.5 ms of CPU for a
lookup with a join, more than the database spends answering it (profiled with
py-spy; see bench/README.md). These few statements are written once, per
dialect, and their rows are turned into the same model instances Tortoise
would return. Everything else keeps using the ORM.
"""

from __future__ import annotations

from functools import lru_cache

from tortoise.models import Model

from gateway.models import Device, Organisation, Session, Throttle, User


def _client(model: type[Model]):
    # The model's connection: inside a transaction, the transaction's own.
    return model._meta.db


def _is_sqlite(client) -> bool:
    return client.capabilities.dialect == "sqlite"


@lru_cache(maxsize=None)
def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{column}" AS "{alias}__{column}"' for column in model._meta.db_fields)


def _split(row: dict, *parts: tuple[type[Model], str]) -> list[Model]:
    found = []
    for model, alias in parts:
        prefix = f"{alias}__"
        found.append(model._init_from_db(**{k[len(prefix):]: v for k, v in row.items() if k.startswith(prefix)}))
    return found


@lru_cache(maxsize=64)
def _sql(template: str, sqlite: bool) -> str:
    """``{p1}``, ``{p2}``… become the dialect's placeholders; ``{for_update}`` a row lock where there is one."""
    marks = {f"p{i}": ("?" if sqlite else f"${i}") for i in range(1, 10)}
    return template.format(**marks, for_update="" if sqlite else " FOR UPDATE")


async def _rows(model: type[Model], template: str, *values) -> list[dict]:
    client = _client(model)
    return await client.execute_query_dict(_sql(template, _is_sqlite(client)), list(values))


async def live_session(token_hash: str) -> Session | None:
    """The session with its user and organisation, in one statement."""
    rows = await _rows(Session, (
        f"SELECT {_columns(Session, 's')}, {_columns(User, 'u')}, {_columns(Organisation, 'o')} "
        'FROM "session" s JOIN "app_user" u ON u."id" = s."user_id" JOIN "organisation" o ON o."id" = s."organisation_id" '
        'WHERE s."token_hash" = {p1} AND s."ended_at" IS NULL'), token_hash)
    if not rows:
        return None
    session, user, organisation = _split(rows[0], (Session, "s"), (User, "u"), (Organisation, "o"))
    session.user, session.organisation = user, organisation
    return session


async def device_by_token(token_hash: str) -> Device | None:
    """The device with its organisation, in one statement."""
    rows = await _rows(Device, (
        f"SELECT {_columns(Device, 'd')}, {_columns(Organisation, 'o')} "
        'FROM "device" d JOIN "organisation" o ON o."id" = d."organisation_id" WHERE d."token_hash" = {p1}'), token_hash)
    if not rows:
        return None
    device, organisation = _split(rows[0], (Device, "d"), (Organisation, "o"))
    device.organisation = organisation
    return device


async def user_by_pin(pin_hmac: str, organisation: Organisation) -> User | None:
    rows = await _rows(User, (
        f"SELECT {_columns(User, 'u')} FROM \"app_user\" u "
        'WHERE u."pin_hmac" = {p1} AND u."organisation_id" = {p2} AND u."deleted_at" IS NULL'), pin_hmac, organisation.id)
    if not rows:
        return None
    [user] = _split(rows[0], (User, "u"))
    user.organisation = organisation
    return user


async def throttle_row(key: str, lock: bool) -> Throttle | None:
    rows = await _rows(Throttle, f"SELECT {_columns(Throttle, 't')} FROM \"throttle\" t WHERE t.\"key\" = {{p1}}"
                       + ("{for_update}" if lock else ""), key)
    return _split(rows[0], (Throttle, "t"))[0] if rows else None
