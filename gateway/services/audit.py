"""The audit log: one row per security-relevant event (DESIGN §5)."""

from __future__ import annotations

from gateway.models import AuditLog
from gateway.services.actor import Actor


async def record(
    event_type: str,
    *,
    organisation_id: int | None,
    actor: Actor | None = None,
    device_id: int | None = None,
    **data,
) -> AuditLog:
    """Write one audit row. Call it inside the transaction of the change it records."""
    user = actor.user if actor else None
    if device_id is None and actor and actor.device:
        device_id = actor.device.id
    return await AuditLog.create(
        organisation_id=organisation_id,
        type=event_type,
        actor_id=user.id if user else None,
        device_id=device_id,
        ip_address=actor.client.ip_address if actor else None,
        data=data,
    )
