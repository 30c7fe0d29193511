"""Persisted throttles: they count attempts, not requests, and hold across processes.

Three ways to use a key, by what is at stake:

- ``gate(key)`` (PIN per device): the key's row is locked (SELECT … FOR UPDATE
  on PostgreSQL; SQLite has one writer at a time anyway) from the check to the
  verdict, inside the caller's transaction. Fifty simultaneous guesses queue
  up and each sees the count the last one left.
- ``charge(*keys)`` (passwords): the attempt is counted *before* it is checked,
  in a short transaction of its own, and forgiven or refunded by
  ``succeeded`` — the slow Argon2 check then holds no lock.
- ``check`` then ``failed`` (pairing, PIN per organisation): nothing is locked
  and only failures are counted, for keys many honest attempts share.

In every case a throttled attempt is refused before anything is looked up.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gateway.models import Throttle
from gateway.services import audit, hot
from gateway.services.actor import Actor
from gateway.services.clock import utcnow
from gateway.services.errors import ErrorCode, refuse


@dataclasses.dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before the first lock
    base_seconds: int = 30  # first lock; each further failure doubles it…
    max_seconds: int = 3600  # …up to this
    window_seconds: int = 86400  # failures older than this are forgotten
    reset_on_success: bool = False  # a success forgives everything (else it only refunds itself)

    def lock_for(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.base_seconds * 2 ** min(failures - self.free, 20), self.max_seconds)


PIN_DEVICE = Policy(free=5, reset_on_success=True)
PIN_ORGANISATION = Policy(free=50, window_seconds=3600)
PASSWORD_USER = Policy(free=5, reset_on_success=True)
PASSWORD_ADDRESS = Policy(free=20, window_seconds=3600)
PAIR_ADDRESS = Policy(free=10, window_seconds=3600)
PAIR_GLOBAL = Policy(free=1000, window_seconds=3600)


@dataclasses.dataclass(frozen=True)
class Key:
    name: str
    policy: Policy


def _retry_after(locked_until: datetime, now: datetime) -> int:
    return max(1, math.ceil((locked_until - now).total_seconds()))


async def _locked_row(key: str, now: datetime) -> Throttle:
    row = await Throttle.filter(key=key).select_for_update().first()
    if row is None:
        try:
            async with in_transaction():  # a savepoint: a concurrent insert only loses this
                await Throttle.create(key=key, window_start=now)
        except IntegrityError:
            pass
        row = await Throttle.filter(key=key).select_for_update().first()
    return row


def _throttled(locked_until: datetime, now: datetime):
    return refuse(ErrorCode.THROTTLED, "Too many failed attempts: wait and try again.",
                  retry_after_seconds=_retry_after(locked_until, now))


async def check(*keys: Key) -> None:
    """Raise THROTTLED if any key is locked; count nothing."""
    now = utcnow()
    for key in keys:
        row = await hot.throttle_row(key.name, lock=False)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            raise _throttled(row.locked_until, now)


async def charge(*keys: Key) -> None:
    """Count one attempt against every key before it is checked, or raise THROTTLED (counting nothing)."""
    await _count(keys, refuse_when_locked=True)


async def failed(*keys: Key) -> None:
    """Count a failure after the fact (for attempts that were only ``check``-ed)."""
    await _count(keys, refuse_when_locked=False)


async def _count(keys, refuse_when_locked: bool) -> None:
    now = utcnow()
    async with in_transaction():
        rows = []
        for key in keys:
            row = await _locked_row(key.name, now)
            if refuse_when_locked and row.locked_until is not None and row.locked_until > now:
                raise _throttled(row.locked_until, now)
            rows.append((row, key.policy))
        for row, policy in rows:
            await _add_failure(row, policy, now)


async def _add_failure(row: Throttle, policy: Policy, now: datetime) -> None:
    if now - row.window_start > timedelta(seconds=policy.window_seconds):
        row.failures, row.window_start = 0, now
    row.failures += 1
    lock = policy.lock_for(row.failures)
    row.locked_until = now + timedelta(seconds=lock) if lock else None
    await row.save(update_fields=["failures", "window_start", "locked_until"])


class Gate:
    """One attempt against one key, decided inside the caller's transaction.

    The key's row stays locked until that transaction ends, so attempts on the
    same key queue behind each other and each sees the count the last one left.
    """

    def __init__(self, key: Key, row: Throttle | None, now: datetime) -> None:
        self.key, self.row, self.policy, self.now = key, row, key.policy, now

    async def ensure(self) -> None:
        """Create and lock the key's row if it has none yet (a first attempt).

        Called once the attempt is known to be worth counting, so random keys
        (unknown device tokens) leave no rows behind.
        """
        if self.row is None:
            self.row = await _locked_row(self.key.name, self.now)
            if self.row.locked_until is not None and self.row.locked_until > self.now:
                raise _throttled(self.row.locked_until, self.now)

    async def failed(self) -> None:
        await self.ensure()
        await _add_failure(self.row, self.policy, self.now)

    async def passed(self) -> None:
        if self.row is not None and (self.row.failures or self.row.locked_until):  # the usual case writes nothing
            self.row.failures, self.row.locked_until = 0, None
            await self.row.save(update_fields=["failures", "locked_until"])


async def gate(key: Key) -> Gate:
    """Lock ``key``'s row for one attempt, or raise THROTTLED. Call inside a transaction."""
    now = utcnow()
    row = await hot.throttle_row(key.name, lock=True)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise _throttled(row.locked_until, now)
    return Gate(key, row, now)


async def succeeded(*keys: Key) -> None:
    """The charged attempt was right: forgive or refund it."""
    for key in keys:
        if key.policy.reset_on_success:
            await Throttle.filter(key=key.name).update(failures=0, locked_until=None)
        else:
            row = await Throttle.get_or_none(key=key.name)
            if row is not None and row.failures > 0:
                row.failures -= 1
                row.locked_until = None if key.policy.lock_for(row.failures) == 0 else row.locked_until
                await row.save(update_fields=["failures", "locked_until"])


async def audit_locks(keys, organisation_id: int | None, actor: Actor, **data) -> None:
    """After a failure: record each key the failure locked (the event DESIGN §5 calls "lock")."""
    now = utcnow()
    for row in await Throttle.filter(key__in=[k.name for k in keys], locked_until__gt=now):
        await audit.record("throttle.locked", organisation_id=organisation_id, actor=actor,
                           key=row.key.rsplit(":", 1)[0], failures=row.failures,
                           locked_seconds=_retry_after(row.locked_until, now), **data)
