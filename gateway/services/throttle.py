"""Persisted throttles: they count attempts, not requests, and hold across processes.

Three ways to count, by what is at stake:

- A device's PIN attempts (``Count`` kept on the device row): the statement
  that checks the PIN first claims the row (locks it, and goes on only if the
  count is still the one read; SQLite has one writer at a time anyway) and
  writes the verdict, so of fifty simultaneous guesses each counted one saw
  the count the last one left (see auth.login_with_pin).
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
PIN_COLLISION = Policy(free=5, base_seconds=86400, max_seconds=86400, window_seconds=86400)  # TAKEN per actor: 5 a day


@dataclasses.dataclass(frozen=True)
class Key:
    name: str
    policy: Policy


@dataclasses.dataclass
class Count:
    """One throttle's state: failures in the current window, and the lock they earned."""

    failures: int = 0
    window_start: datetime | None = None
    locked_until: datetime | None = None

    @classmethod
    def of(cls, row: Throttle) -> Count:
        return cls(row.failures, row.window_start, row.locked_until)

    def as_tuple(self) -> tuple[int, datetime | None, datetime | None]:
        return self.failures, self.window_start, self.locked_until

    def refuse_if_locked(self, now: datetime) -> None:
        if self.locked_until is not None and self.locked_until > now:
            raise _throttled(self.locked_until, now)

    def add_failure(self, policy: Policy, now: datetime) -> None:
        if self.window_start is None or now - self.window_start > timedelta(seconds=policy.window_seconds):
            self.failures, self.window_start = 0, now
        self.failures += 1
        lock = policy.lock_for(self.failures)
        self.locked_until = now + timedelta(seconds=lock) if lock else None


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
        row = await hot.throttle_row(key.name)
        if row is not None:
            Count.of(row).refuse_if_locked(now)


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
            if refuse_when_locked:
                Count.of(row).refuse_if_locked(now)
            rows.append((row, key.policy))
        for row, policy in rows:
            await _add_failure(row, policy, now)


async def _add_failure(row: Throttle, policy: Policy, now: datetime) -> None:
    count = Count.of(row)
    count.add_failure(policy, now)
    row.failures, row.window_start, row.locked_until = count.failures, count.window_start, count.locked_until
    await row.save(update_fields=["failures", "window_start", "locked_until"])


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
        await audit_lock(row.key.rsplit(":", 1)[0], row, organisation_id, actor, now, **data)


async def audit_lock(name: str, count: Count | Throttle, organisation_id: int | None, actor: Actor, now: datetime,
                     **data) -> None:
    await audit.record("throttle.locked", organisation_id=organisation_id, actor=actor, key=name,
                       failures=count.failures, locked_seconds=_retry_after(count.locked_until, now), **data)
