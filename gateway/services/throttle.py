"""Persisted throttles: they count attempts, not requests, and hold across processes.

A count lives in a database row, so every gateway process sees the same one, and
it is read and written under that row's lock, so attempts that arrive together
still count one after another. A ``Policy`` counts failures and answers with
locks that grow; a ``Window`` allows so many failures in any span of time (it
keeps each failure's time, so a burst across the turn of an hour cannot double
it). Three ways to use one:

- ``hold(key)`` inside the caller's transaction: the row is locked until the
  caller commits, so whatever the caller checks meanwhile (a PIN lookup) is
  decided on the count every earlier attempt left; ``add_failure`` or
  ``add_failure_in_window`` counts on the held row. PIN login holds its
  organisation's budget this way (the device's own count is on the device row,
  which the login holds too).
- ``charge(*keys)`` (passwords, typed PINs that may collide): the attempt is
  counted *before* it is checked, in a short transaction of its own, and
  forgiven or refunded by ``succeeded`` — so the slow check holds no lock.
- ``check`` then ``failed`` (pairing): nothing is locked and only failures are
  counted, for keys that many honest attempts share.

In every case a throttled attempt is refused before anything is looked up.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gateway.models import Throttle, ThrottleEvent
from gateway.services import audit
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


@dataclasses.dataclass(frozen=True)
class Window:
    """At most ``limit`` failures in any ``seconds``: locked while that many are inside the window."""

    limit: int
    seconds: int


# A register: five wrong PINs, then locks from 30 s doubling up to an hour.
PIN_DEVICE = Policy(free=5, reset_on_success=True)
# An organisation: 50 wrong PINs in any hour, over all its registers.
PIN_ORGANISATION = Window(limit=50, seconds=3600)
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

    def refuse_if_locked(self, now: datetime) -> None:
        if self.locked_until is not None and self.locked_until > now:
            raise refuse(ErrorCode.THROTTLED, "Too many failed attempts: wait and try again.",
                         retry_after_seconds=_retry_after(self.locked_until, now))

    def add_failure(self, policy: Policy, now: datetime) -> None:
        if self.window_start is None or now - self.window_start > timedelta(seconds=policy.window_seconds):
            self.failures, self.window_start = 0, now
        self.failures += 1
        lock = policy.lock_for(self.failures)
        self.locked_until = now + timedelta(seconds=lock) if lock else None


def _retry_after(locked_until: datetime, now: datetime) -> int:
    return max(1, math.ceil((locked_until - now).total_seconds()))


async def hold(name: str, now: datetime) -> Throttle:
    """The row of ``name``, created if missing, locked until the caller's transaction ends."""
    row = await Throttle.filter(key=name).select_for_update().first()
    if row is None:
        try:
            async with in_transaction():  # a savepoint: losing a race to insert the row loses only this
                await Throttle.create(key=name, window_start=now)
        except IntegrityError:
            pass
        row = await Throttle.filter(key=name).select_for_update().first()
    return row


async def add_failure(row: Throttle, policy: Policy, now: datetime) -> Count:
    """Count one failure on a held row; the count as it now stands."""
    count = Count.of(row)
    count.add_failure(policy, now)
    row.failures, row.window_start, row.locked_until = count.failures, count.window_start, count.locked_until
    await row.save(update_fields=["failures", "window_start", "locked_until"])
    return count


async def add_failure_in_window(row: Throttle, window: Window, now: datetime) -> Count:
    """Count one failure on a held row of a ``Window``; the count as it now stands. The row
    keeps how many failures are inside the window and, once they reach the limit, until when:
    the moment the oldest of the last ``limit`` leaves the window."""
    span = timedelta(seconds=window.seconds)
    await ThrottleEvent.create(key=row.key, at=now)
    await ThrottleEvent.filter(key=row.key, at__lte=now - span).delete()
    times = await ThrottleEvent.filter(key=row.key).order_by("at").values_list("at", flat=True)
    row.failures, row.window_start = len(times), times[0]
    row.locked_until = times[-window.limit] + span if len(times) >= window.limit else None
    await row.save(update_fields=["failures", "window_start", "locked_until"])
    return Count.of(row)


async def check(*keys: Key) -> None:
    """Raise THROTTLED if any key is locked; count nothing."""
    now = utcnow()
    for row in await Throttle.filter(key__in=[key.name for key in keys]):
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
        rows = [(await hold(key.name, now), key.policy) for key in keys]
        if refuse_when_locked:
            for row, _ in rows:
                Count.of(row).refuse_if_locked(now)
        for row, policy in rows:
            await add_failure(row, policy, now)


async def succeeded(*keys: Key) -> None:
    """The charged attempt was right: forgive or refund it."""
    for key in keys:
        if key.policy.reset_on_success:
            await Throttle.filter(key=key.name).update(failures=0, locked_until=None)
        else:
            async with in_transaction():
                row = await Throttle.filter(key=key.name).select_for_update().first()
                if row is not None and row.failures > 0:
                    row.failures -= 1
                    row.locked_until = None if key.policy.lock_for(row.failures) == 0 else row.locked_until
                    await row.save(update_fields=["failures", "locked_until"])


async def audit_locks(keys, organisation_id: int | None, actor: Actor, **data) -> None:
    """After a failure: record each key the failure locked."""
    now = utcnow()
    for row in await Throttle.filter(key__in=[k.name for k in keys], locked_until__gt=now):
        await audit_lock(row.key.rsplit(":", 1)[0], Count.of(row), organisation_id, actor, now, **data)


async def audit_lock(name: str, count: Count, organisation_id: int | None, actor: Actor, now: datetime,
                     **data) -> None:
    await audit.record("throttle.locked", organisation_id=organisation_id, actor=actor, key=name,
                       failures=count.failures, locked_seconds=_retry_after(count.locked_until, now), **data)
