"""The audit log: one row per security-relevant event, handed to plugins after commit.

Services open their transactions with ``unit_of_work()`` instead of Tortoise's
``in_transaction()``. What must wait for the change to be real (audit events for
plugins, live events for subscribers: ``after_commit``) waits until the outermost
unit commits, and vanishes with it if it rolls back, so neither ``on_audit_event``
nor a subscriber ever hears of a change that did not happen. Outside any unit (a
failed login) a row is committed at once and its event dispatched at once.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import inspect
import logging
from datetime import datetime
from typing import Any, Awaitable, Callable

import pluggy
from tortoise.transactions import in_transaction

from gateway import metrics
from gateway.models import AuditLog
from gateway.services.errors import ErrorCode, refuse
from gateway.services.pagination import one, page

log = logging.getLogger("pairgate.audit")
TYPE_MAX = 64  # the length of AuditLog.type's column

_plugins: contextvars.ContextVar[pluggy.PluginManager | None] = contextvars.ContextVar("pairgate_plugins", default=None)
_pending: contextvars.ContextVar[list[Callable[[], Awaitable[None]]] | None] = contextvars.ContextVar(
    "pairgate_after_commit", default=None)


@dataclasses.dataclass(frozen=True)
class AuditEvent:
    """What ``on_audit_event`` receives: the audit row, as plain values."""

    id: int
    type: str
    organisation_id: int | None
    actor_user_id: int | None
    device_id: int | None
    ip_address: str | None
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, row: AuditLog) -> AuditEvent:
        return cls(id=row.id, type=row.type, organisation_id=row.organisation_id, actor_user_id=row.actor_id,
                   device_id=row.device_id, ip_address=row.ip_address, data=dict(row.data),
                   created_at=row.created_at)


def bind_plugins(plugins: pluggy.PluginManager | None) -> None:
    """Say which plugins hear the events of the current request (or command)."""
    _plugins.set(plugins)


async def record(event_type: str, *, organisation_id: int | None, actor=None, device_id: int | None = None,
                 **data) -> AuditEvent:
    """Write one audit row; plugins hear of it once it is committed."""
    user = actor.user if actor else None
    if device_id is None and actor and actor.device:
        device_id = actor.device.id
    row = await AuditLog.create(
        organisation_id=organisation_id,
        type=event_type,
        actor_id=user.id if user else None,
        device_id=device_id,
        ip_address=actor.client.ip_address if actor else None,
        data=data,
    )
    return await announce(AuditEvent.of(row))


async def announce(event: AuditEvent) -> AuditEvent:
    """Hand a written audit row to plugins: after the unit of work commits, or at once outside one."""
    await after_commit(lambda: _dispatch([event]))
    return event


async def after_commit(work: Callable[[], Awaitable[None]]) -> None:
    """Do ``work`` once the current unit of work commits, in the order asked; never if it rolls
    back. Outside a unit of work there is nothing to wait for: at once."""
    pending = _pending.get()
    if pending is None:
        await work()
    else:
        pending.append(work)


@contextlib.asynccontextmanager
async def unit_of_work():
    """A transaction whose ``after_commit`` work (audit events for plugins, live events for
    subscribers) is done only once it commits."""
    pending = _pending.get()
    outermost = pending is None
    if outermost:
        pending = []
        token = _pending.set(pending)
    mark = len(pending)
    try:
        async with in_transaction():
            yield
    except BaseException:
        del pending[mark:]  # rolled back: these events did not happen
        raise
    finally:
        if outermost:
            _pending.reset(token)
    if outermost:
        for work in pending:
            await work()


async def _dispatch(events: list[AuditEvent]) -> None:
    metrics.audit_events(events)  # logins and throttle locks, as committed
    plugins = _plugins.get()
    if plugins is None or not events:
        return
    for impl in reversed(plugins.hook.on_audit_event.get_hookimpls()):  # pluggy's order: last registered first
        for event in events:
            try:
                result = impl.function(*[{"event": event}[name] for name in impl.argnames])
                if inspect.isawaitable(result):
                    await result
            except Exception:
                # One plugin's failure must not break the request or keep the event from the others.
                log.exception("plugin %r failed in on_audit_event for %s", impl.plugin_name, event.type)


async def list_page(actor, event_type: str | None, first: int | None, after_id: int | None):
    """The organisation's audit log (ADMIN, MANAGER), newest first."""
    actor.require_admin()
    queryset = AuditLog.filter(organisation_id=actor.organisation_id)
    if event_type:
        if len(event_type) > TYPE_MAX:  # no event has it, and the ORM refuses even to compare it
            raise refuse(ErrorCode.INVALID, f"Event types have at most {TYPE_MAX} characters.", "type")
        queryset = queryset.filter(type=event_type)
    return await page(queryset, first, after_id, newest_first=True)


async def get(actor, event_id: int | None) -> AuditLog:
    actor.require_admin()
    return await find(actor, event_id)


async def find(actor, event_id: int | None) -> AuditLog:
    """An event of the actor's organisation, whoever asks (what they may read of it is the caller's rule)."""
    return await one(AuditLog.filter(organisation_id=actor.organisation_id), event_id, "audit event")
