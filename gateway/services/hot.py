"""Hand-written reads for the paths every request or login takes.

Tortoise builds each query anew through pypika: about 0.3-0.5 ms of CPU for a
lookup with a join, more than the database spends answering it (profiled with
py-spy; see bench/README.md). These few statements are written once, per
dialect, and their rows are turned into the same model instances Tortoise
would return. Everything else keeps using the ORM.

A PIN login is the busiest write: on PostgreSQL it is one statement
(``pin_check``) once the process has read the device (``pin_attempt``, kept
as a hint: see auth.login_with_pin), where the ORM took eight round trips,
each costing gateway CPU (bench/README.md). Under load, the claims of the logins that queue
behind one another share a statement and its commit (``group_commit``).
"""

from __future__ import annotations

import contextvars
import dataclasses
import itertools
import weakref
from datetime import datetime
from functools import lru_cache, partial

from tortoise import timezone as tortoise_timezone
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.fields import DatetimeField
from tortoise.models import Model
from tortoise.transactions import in_transaction

from gateway import db
from gateway.models import AuditLog, AuthMethod, Device, DeviceState, Organisation, Session, Throttle, User
from gateway.services import audit
from gateway.services.group_commit import GroupCommit


def _client(model: type[Model]):
    # The model's connection: inside a transaction, the transaction's own.
    return model._meta.db


def _is_sqlite(client) -> bool:
    return client.capabilities.dialect == "sqlite"


@lru_cache(maxsize=None)
def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{column}" AS "{alias}__{column}"' for column in model._meta.db_fields)


@lru_cache(maxsize=None)
def _builder(model: type[Model], alias: str):
    """Builds ``model`` from a row's ``alias__column`` values: what Tortoise's ``_init_from_db``
    does, from the same per-field lists of its meta, without a keyword dict per row or its
    ``__setattr__`` override (a third of a login's model-building time, measured)."""
    meta = model._meta
    native = tuple((f"{alias}__{key}", name) for key, name, _ in meta.db_native_fields)
    typed = tuple((f"{alias}__{key}", name, field.field_type) for key, name, field in meta.db_default_fields)
    converted = tuple((f"{alias}__{key}", name, field) for key, name, field in meta.db_complex_fields
                      if type(field) is not DatetimeField)
    dates = tuple((f"{alias}__{key}", name, field.to_python_value) for key, name, field in meta.db_complex_fields
                  if type(field) is DatetimeField)
    custom_pk = meta.db_pk_column not in meta.generated_db_fields
    # What DatetimeField.to_python_value makes of an aware datetime (asyncpg's timestamptz), without
    # reading its settings from os.environ for each value: half its cost, five to ten values a row.
    zone = tortoise_timezone.get_default_timezone() if tortoise_timezone.get_use_tz() else None

    def build(row) -> Model:
        instance = model.__new__(model)
        values = instance.__dict__
        values.update(_partial=False, _saved_in_db=True, _custom_generated_pk=custom_pk, _await_when_save={})
        for key, name in native:
            values[name] = row[key]
        for key, name, cast in typed:
            value = row[key]
            values[name] = value if value is None else cast(value)
        for key, name, field in converted:
            values[name] = field.to_python_value(row[key])
        for key, name, to_python in dates:
            value = row[key]
            values[name] = (value.astimezone(zone) if zone is not None and value.__class__ is datetime
                            and value.tzinfo is not None else to_python(value))
        return instance

    return build


def _copy(instance: Model) -> Model:
    """Another instance with the same values: a hint is shared by concurrent requests, and each
    login changes its device (``_as_left``) and hands it to its own response."""
    clone = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(instance.__dict__, _await_when_save={})
    return clone


def _relate(instance: Model, **related: Model) -> None:
    """``instance.name = model`` for each, as Tortoise's foreign-key setter leaves it (the id and
    the cached object), without the type checks each assignment pays for (~2.5 µs, four per
    login): the models here are the right ones by construction. A test holds the two equal."""
    values = instance.__dict__
    for name, model in related.items():
        values[f"{name}_id"] = model.id
        values[f"_{name}"] = model


def _split(row, *parts: tuple[type[Model], str]) -> list[Model | None]:
    """One model instance per alias (columns named by ``_columns``); None for the empty side of an outer join."""
    return [None if row[f"{alias}__id"] is None else _builder(model, alias)(row) for model, alias in parts]


@lru_cache(maxsize=64)
def _sql(template: str, sqlite: bool) -> str:
    """``{p1}``, ``{p2}``… become the dialect's placeholders, numbered: usable in any order and more than once."""
    return template.format(**{f"p{i}": (f"?{i}" if sqlite else f"${i}") for i in range(1, 20)})


_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("pairgate_hot_connection", default=None)


class one_connection:
    """Let the hot statements of a block share one PostgreSQL connection, taken at the first.

    For statements run one after another: a connection runs one statement at a time, so the
    block must not start tasks that use it concurrently, nor wait on the pool while holding
    it (the caller keeps other work outside the block). A class, not a generator-based
    context manager: it wraps every PIN login, and the generator machinery cost more than
    its work."""

    __slots__ = ("held", "token")

    async def __aenter__(self) -> None:
        self.held: list = []
        self.token = _held.set(self.held)

    async def __aexit__(self, error_type, error, traceback) -> None:
        _held.reset(self.token)
        if self.held:
            await db.give_back_lane(*self.held, error_type is None)


async def _fetch(client, sql: str, values: list) -> list:
    if _is_sqlite(client) or isinstance(client, TransactionalDBClient):
        return await client.execute_query_dict(sql, values)
    client.log.debug("%s: %s", sql, values)  # as Tortoise logs each statement: PAIRGATE_QUERY_STATS counts it
    held = _held.get()
    if held is not None:
        if not held:
            held += [client, await db.take_lane(client)]
        return await held[1].fetch(sql, *values)  # asyncpg's records: read by column name, like dicts
    connection, clean = await db.take_lane(client), False
    try:
        rows = await connection.fetch(sql, *values)
        clean = True
        return rows
    finally:
        await db.give_back_lane(client, connection, clean)


async def _rows(model: type[Model], template: str, *values) -> list:
    client = _client(model)
    return await _fetch(client, _sql(template, _is_sqlite(client)), list(values))


async def live_session(token_hash: str) -> Session | None:
    """The session with its user and organisation, in one statement."""
    rows = await _rows(Session, (
        f"SELECT {_columns(Session, 's')}, {_columns(User, 'u')}, {_columns(Organisation, 'o')} "
        'FROM "session" s JOIN "app_user" u ON u."id" = s."user_id" JOIN "organisation" o ON o."id" = s."organisation_id" '
        'WHERE s."token_hash" = {p1} AND s."ended_at" IS NULL'), token_hash)
    if not rows:
        return None
    session, user, organisation = _split(rows[0], (Session, "s"), (User, "u"), (Organisation, "o"))
    _relate(session, user=user, organisation=organisation)
    return session


async def device_by_token(token_hash: str) -> Device | None:
    """The device with its organisation, in one statement."""
    rows = await _rows(Device, (
        f"SELECT {_columns(Device, 'd')}, {_columns(Organisation, 'o')} "
        'FROM "device" d JOIN "organisation" o ON o."id" = d."organisation_id" WHERE d."token_hash" = {p1}'), token_hash)
    if not rows:
        return None
    device, organisation = _split(rows[0], (Device, "d"), (Organisation, "o"))
    _relate(device, organisation=organisation)
    return device


async def throttle_row(key: str) -> Throttle | None:
    rows = await _rows(Throttle, f"SELECT {_columns(Throttle, 't')} FROM \"throttle\" t WHERE t.\"key\" = {{p1}}", key)
    return _split(rows[0], (Throttle, "t"))[0] if rows else None


@dataclasses.dataclass
class PinAttempt:
    device: Device  # with .organisation
    organisation_budget: Throttle | None
    # The device row's version as read: PostgreSQL's xmin, which every write of the row
    # changes (the row-version token EF Core and Npgsql use; a value comes back only after
    # 2^32 transactions, and each login renews the hint); None on SQLite.
    version: str | None = None


def _version(alias: str) -> str:
    """The ``alias`` row's version (PostgreSQL only), as the column ``alias__v``."""
    return f'{alias}."xmin"::text AS "{alias}__v"'


async def pin_attempt(token_hash: str, budget_key_prefix: str) -> PinAttempt | None:
    """The device with its organisation and that organisation's PIN budget row: one statement, no lock."""
    versioned = not _is_sqlite(_client(Device))
    rows = await _rows(Device, (
        f"SELECT {_columns(Device, 'd')}{', ' + _version('d') if versioned else ''}, "
        f"{_columns(Organisation, 'o')}, {_columns(Throttle, 't')} "
        'FROM "device" d JOIN "organisation" o ON o."id" = d."organisation_id" '
        'LEFT JOIN "throttle" t ON t."key" = {p2} || CAST(d."organisation_id" AS TEXT) '
        'WHERE d."token_hash" = {p1}'), token_hash, budget_key_prefix)
    return _pin_attempt(rows[0]) if rows else None


def _pin_attempt(row) -> PinAttempt | None:
    device, organisation, budget = _split(row, (Device, "d"), (Organisation, "o"), (Throttle, "t"))
    if device is None:
        return None
    _relate(device, organisation=organisation)
    return PinAttempt(device, budget, row.get("d__v"))


PinCount = tuple[int, datetime | None, datetime | None]  # pin_failures, pin_window_start, pin_locked_until


def pin_count(device: Device) -> PinCount:
    return device.pin_failures, device.pin_window_start, device.pin_locked_until


@dataclasses.dataclass
class PinCheck:
    """One PIN check on a device as the caller read it (``seen``: perhaps a hint, perhaps stale).

    ``claimed`` is False when the database no longer holds what the caller decided on (the
    device's PIN count or state, its organisation's PIN switch or session length, the
    organisation's PIN budget): then nothing was looked up or written, and the caller reads the
    device again to decide again (``current`` is None; SQLite's steps read it first, and leave it
    there). When claimed, ``current`` is the device as the statement left it."""

    seen: PinAttempt
    token_hash: str  # the device token's hash
    budget_prefix: str  # + organisation id: the organisation's PIN budget key
    if_wrong: PinCount  # the device's count if no user has this PIN
    touch: bool  # write last_seen_at and clear the count if a user has this PIN
    claimed: bool = False
    current: PinAttempt | None = None
    reread: bool = False  # the device was read again: another writer changed it since ``seen`` was read
    user: User | None = None
    session: Session | None = None
    audit_event: audit.AuditEvent | None = None


@dataclasses.dataclass
class NewSession:
    """The values of a PIN session about to be opened; the statement finds its user."""

    token_hash: str
    ip_address: str | None
    user_agent: str
    now: datetime
    expires_at: datetime


_SESSION_COLUMNS = ('"organisation_id", "user_id", "device_id", "method", "token_hash", "ip_address", '
                    '"user_agent", "created_at", "last_seen_at", "expires_at"')
_AUDIT_COLUMNS = '"organisation_id", "type", "actor_id", "device_id", "ip_address", "data", "created_at"'
_COUNT = '"pin_failures", "pin_window_start", "pin_locked_until"'
LOGIN_SUCCEEDED = "login.succeeded"


# One claim's values (``pin_check``), in order, as the statement's ``i`` names and types them.
_CLAIM = (("pin_hmac", "text"), ("org", "bigint"), ("dev", "bigint"), ("tok", "text"), ("ip", "text"),
          ("ua", "text"), ("at", "timestamptz"), ("hours", "int"), ("ver", "text"), ("touch", "boolean"),
          ("f", "int"), ("ws", "timestamptz"), ("lu", "timestamptz"),
          ("wf", "int"), ("wws", "timestamptz"), ("wlu", "timestamptz"), ("dtok", "text"), ("budget", "text"))


@lru_cache(maxsize=None)
def _pin_check_sql(methods: tuple[str, ...], count: int) -> str:
    """PostgreSQL, one statement (one transaction) for ``count`` claims on as many devices, one
    row each in ``i`` (``n`` its place, answered in that order; see ``group_commit``):
    d   claims each device row (locked until commit, in id order so that two statements cannot
        deadlock) if everything its caller decided on still holds: approved, count
        still f/ws/lu, PIN login on with ``hours``, budget not locked;
    u   the user the PIN names, looked up only for a claimed device;
    s, a  a session (``hours`` long) and its audit row if u's login method is one of ``methods``
        (answered: their ids; the caller knows the rest, see ``_opened``);
    ok  the device touched and its count cleared when u was found (and ``touch`` says there is a change);
    no  the count set to wf/wws/wlu when u was not found;
    and whether the claimed row's version (before ok's or no's write) moved from ``ver``, the one
    the caller holds, and the version as the statement leaves it (ok's or no's write makes a new one).
    The answer's columns are few on purpose: what the caller holds already is not sent again, and
    every column answered costs PostgreSQL (~10 % of the statement for the device's columns, though
    almost always NULL) and the gateway (bench/README.md). The rare caller that lost its claim, or
    whose device another writer changed, reads the device once more (``pin_attempt``).
    The login methods are written into the statement rather than sent, and the session's end is
    computed in it: encoding a text array and a timestamp was ~2 % of a PIN login's instructions."""
    pin = AuthMethod.PIN.value
    allowed = ", ".join(f"'{_plain(method)}'" for method in methods)
    width = len(_CLAIM)
    rows = ", ".join(
        f"({n}, " + ", ".join(f"${n * width + k + 1}::{kind}" for k, (_, kind) in enumerate(_CLAIM)) + ")"
        for n in range(count))
    return (
        f"WITH i (n, {', '.join(name for name, _ in _CLAIM)}) AS (VALUES {rows}), "
        f"d AS (SELECT i.n, k.\"id\" AS \"k__id\", {_version('k')} FROM i JOIN \"device\" k ON k.\"id\" = i.dev "
        'WHERE k."token_hash" = i.dtok AND k."organisation_id" = i.org '
        'AND k."state" = \'APPROVED\' AND (k."pin_failures", k."pin_window_start", k."pin_locked_until") '
        'IS NOT DISTINCT FROM (i.f, i.ws, i.lu) '
        'AND EXISTS (SELECT 1 FROM "organisation" o WHERE o."id" = i.org AND o."pin_login_enabled" '
        'AND o."session_max_hours" = i.hours) '
        'AND NOT EXISTS (SELECT 1 FROM "throttle" t WHERE t."key" = i.budget || CAST(i.org AS TEXT) '
        'AND t."locked_until" > i.at) ORDER BY k."id" FOR UPDATE OF k), '
        'u AS (SELECT d.n, x.* FROM d JOIN i ON i.n = d.n JOIN "app_user" x ON x."pin_hmac" = i.pin_hmac '
        'AND x."organisation_id" = i.org AND x."deleted_at" IS NULL), '
        f's AS (INSERT INTO "session" ({_SESSION_COLUMNS}) '
        f"SELECT i.org, u.\"id\", i.dev, '{pin}', i.tok, i.ip, i.ua, i.at, i.at, i.at + make_interval(hours => i.hours) "
        f"FROM u JOIN i ON i.n = u.n WHERE u.\"login_method\" IN ({allowed}) "
        'RETURNING "id", "user_id", "device_id"), '
        f'a AS (INSERT INTO "audit_log" ({_AUDIT_COLUMNS}) '
        f"SELECT i.org, '{LOGIN_SUCCEEDED}', s.\"user_id\", s.\"device_id\", i.ip, "
        f"jsonb_build_object('method', '{pin}', 'session_id', s.\"id\"), i.at FROM s JOIN i ON i.dev = s.\"device_id\" "
        'RETURNING "id", "device_id"), '
        'ok AS (UPDATE "device" SET "last_seen_at" = i.at, "pin_failures" = 0, "pin_locked_until" = NULL FROM i '
        'WHERE "device"."id" = i.dev AND i.touch AND i.n IN (SELECT n FROM d) AND i.n IN (SELECT n FROM u) '
        'RETURNING "device"."id", "device"."xmin"::text AS "v"), '
        f'no AS (UPDATE "device" SET ({_COUNT}) = (i.wf, i.wws, i.wlu) FROM i '
        'WHERE "device"."id" = i.dev AND i.n IN (SELECT n FROM d) AND i.n NOT IN (SELECT n FROM u) '
        'RETURNING "device"."id", "device"."xmin"::text AS "v") '
        'SELECT d."k__id" AS "claimed", d."k__v" IS DISTINCT FROM i.ver AS "moved", '
        'COALESCE(ok."v", no."v", d."k__v") AS "version", '
        f"{_columns(User, 'u')}, s.\"id\" AS \"s__id\", a.\"id\" AS \"a__id\" "
        'FROM i LEFT JOIN d ON d.n = i.n LEFT JOIN ok ON ok."id" = i.dev LEFT JOIN no ON no."id" = i.dev '
        'LEFT JOIN u ON u.n = i.n LEFT JOIN s ON s."device_id" = i.dev LEFT JOIN a ON a."device_id" = i.dev '
        "ORDER BY i.n")


def _plain(word: str) -> str:
    """``word``, which goes into SQL as a literal: only letters and underscores may."""
    if not word.replace("_", "").isalpha() or not word.isascii():
        raise ValueError(f"not a plain word: {word!r}")
    return word


async def _claim(client, methods: tuple[str, ...], device_id: int, values: list):
    """One claim's row, written with the claims queued beside it (``group_commit``); alone on a
    connection the caller holds already, or in its transaction."""
    alone = _pin_check_sql(methods, 1)
    if isinstance(client, TransactionalDBClient) or _held.get():
        [row] = await _fetch(client, alone, values)
        return row
    client.log.debug("%s: %s", alone, values)  # counted for the request (PAIRGATE_QUERY_STATS), as _fetch does
    return await _claims(client, methods).submit(values, device_id)


# Per process: two claim statements at a time, each of up to six claims. Measured with 16
# clients on 2 cores (bench/README.md): one at a time with up to 8, or two with up to 6, gave
# ~1,400 logins/s where a statement per login gave ~1,050; two with up to 4, ~1,200. Two, so
# that one statement waiting on a device's lock does not hold up every login of the process.
CLAIMS_AT_ONCE, CLAIMS_PER_STATEMENT = 2, 6
_groups: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Tortoise client -> {methods: GroupCommit}


def _claims(client, methods: tuple[str, ...]) -> GroupCommit:
    groups = _groups.setdefault(client, {})
    group = groups.get(methods)
    if group is None:
        group = groups[methods] = GroupCommit(client, partial(_write_claims, methods),
                                              at_once=CLAIMS_AT_ONCE, most=CLAIMS_PER_STATEMENT)
    return group


async def _write_claims(methods: tuple[str, ...], connection, claims) -> list:
    return await connection.fetch(_pin_check_sql(methods, len(claims)), *itertools.chain.from_iterable(claims))


async def pin_check(check: PinCheck, pin_hmac: str, methods: tuple[str, ...], new: NewSession) -> PinCheck:
    """Check a PIN on a device whose state the caller read: see ``PinCheck``."""
    client = _client(Session)
    seen = check.seen.device
    organisation = seen.organisation
    if not _is_sqlite(client):
        row = await _claim(client, methods, seen.id, [
            pin_hmac, organisation.id, seen.id, new.token_hash, new.ip_address, new.user_agent, new.now,
            organisation.session_max_hours, check.seen.version, check.touch, *pin_count(seen), *check.if_wrong,
            check.token_hash, check.budget_prefix])
        check.claimed = row["claimed"] is not None
        [check.user] = _split(row, (User, "u"))
        if row["s__id"] is not None:
            check.session = _opened(row["s__id"], organisation.id, check.user.id, seen.id, new)
        audit_id = row["a__id"]
        if check.claimed:
            if row["moved"]:  # another writer changed the device: read it as this statement left it
                check.current = await pin_attempt(check.token_hash, check.budget_prefix)
                check.reread = check.current is not None
            if not check.reread:  # unchanged (or gone since): as seen, then _as_left
                device = _copy(seen)
                _relate(device, organisation=organisation)
                check.current = PinAttempt(device, check.seen.organisation_budget, row["version"])
    else:
        # SQLite has no INSERT inside WITH; the same steps in one transaction (one writer at a time).
        async with in_transaction():
            audit_id = await _pin_check_steps(check, pin_hmac, methods, new)
    if check.user is not None:
        _relate(check.user, organisation=organisation)
    if check.session is not None:
        _relate(check.session, user=check.user, organisation=organisation)
        check.audit_event = audit.AuditEvent(
            id=audit_id, type=LOGIN_SUCCEEDED, organisation_id=organisation.id, actor_user_id=check.user.id,
            device_id=seen.id, ip_address=new.ip_address,
            data=_login_data(check.session), created_at=new.now)
    if check.claimed and not check.reread:
        _as_left(check, new.now)
    return check


def _opened(session_id: int, organisation_id: int, user_id: int, device_id: int, new: NewSession) -> Session:
    """The session the statement inserted, from the values it inserted (it returns only the id)."""
    return _builder(Session, "s")({
        "s__id": session_id, "s__organisation_id": organisation_id, "s__user_id": user_id, "s__device_id": device_id,
        "s__method": AuthMethod.PIN.value, "s__token_hash": new.token_hash, "s__ip_address": new.ip_address,
        "s__user_agent": new.user_agent, "s__created_at": new.now, "s__last_seen_at": new.now,
        "s__expires_at": new.expires_at, "s__ended_at": None, "s__end_reason": None})


def _login_data(session: Session) -> dict:
    """The audit data of a PIN login (PostgreSQL's statement builds the same with jsonb_build_object)."""
    return {"method": AuthMethod.PIN.value, "session_id": session.id}


def _as_left(check: PinCheck, now: datetime) -> None:
    """The claimed device as the statement left it (``current`` was read before its writes)."""
    device = check.current.device
    if check.user is None:
        device.pin_failures, device.pin_window_start, device.pin_locked_until = check.if_wrong
    elif check.touch:
        device.last_seen_at, device.pin_failures, device.pin_locked_until = now, 0, None


def _still_as_seen(current: PinAttempt | None, seen: PinAttempt, now: datetime) -> bool:
    """SQLite's form of the claim's condition (``_pin_check_sql``, d)."""
    if current is None:
        return False
    device, organisation, budget = current.device, current.device.organisation, current.organisation_budget
    return (device.id == seen.device.id and device.state == DeviceState.APPROVED
            and pin_count(device) == pin_count(seen.device) and organisation.pin_login_enabled
            and organisation.session_max_hours == seen.device.organisation.session_max_hours
            and not (budget is not None and budget.locked_until is not None and budget.locked_until > now))


async def _pin_check_steps(check: PinCheck, pin_hmac: str, methods: tuple[str, ...], new: NewSession) -> int | None:
    check.current = await pin_attempt(check.token_hash, check.budget_prefix)
    if not _still_as_seen(check.current, check.seen, new.now):
        return None
    check.claimed = True
    device, organisation_id = check.current.device, check.current.device.organisation_id
    check.user = await User.get_or_none(pin_hmac=pin_hmac, organisation_id=organisation_id, deleted_at=None)
    if check.user is None:
        failures, window_start, locked_until = check.if_wrong
        await Device.filter(id=device.id).update(pin_failures=failures, pin_window_start=window_start,
                                                 pin_locked_until=locked_until)
        return None
    if check.touch:
        await Device.filter(id=device.id).update(last_seen_at=new.now, pin_failures=0, pin_locked_until=None)
    if check.user.login_method.value not in methods:
        return None
    check.session = await Session.create(
        organisation_id=organisation_id, user_id=check.user.id, device_id=device.id, method=AuthMethod.PIN,
        token_hash=new.token_hash, ip_address=new.ip_address, user_agent=new.user_agent, created_at=new.now,
        last_seen_at=new.now, expires_at=new.expires_at)
    row = await AuditLog.create(
        organisation_id=organisation_id, type=LOGIN_SUCCEEDED, actor_id=check.user.id, device_id=device.id,
        ip_address=new.ip_address, data=_login_data(check.session),
        created_at=new.now)
    return row.id
