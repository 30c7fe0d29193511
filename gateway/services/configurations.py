"""Configurations: the POS profile a paired device runs."""

from __future__ import annotations


from gateway.models import Configuration, ConnectionCode, Device, DeviceState
from gateway.services import audit, codes
from gateway.services.actor import Actor
from gateway.services.clock import utcnow
from gateway.services.errors import Collector, ErrorCode, refuse
from gateway.services.pagination import Page, one, page

NAME_MAX = 200
DESCRIPTION_MAX = 2000


def _live(actor: Actor):
    return Configuration.filter(organisation_id=actor.organisation_id, deleted_at=None)


async def get(actor: Actor, configuration_id: int | None) -> Configuration:
    actor.require_admin()
    return await find(actor, configuration_id)


async def find(actor: Actor, configuration_id: int | None) -> Configuration:
    """A configuration of the actor's organisation, whoever asks (what they may read of it is the caller's rule)."""
    return await one(_live(actor), configuration_id, "configuration")


async def list_page(actor: Actor, first: int | None, after_id: int | None) -> Page[Configuration]:
    actor.require_admin()
    return await page(_live(actor), first, after_id)


async def _check(actor: Actor, check: Collector, name: str | None, description: str | None, exclude_id=None):
    if name is not None:
        if not name:
            check.add(ErrorCode.REQUIRED, "Give the configuration a name.", "name")
        elif len(name) > NAME_MAX:
            check.add(ErrorCode.INVALID, f"Use at most {NAME_MAX} characters.", "name")
        elif await _live(actor).filter(name=name).exclude(id=exclude_id or 0).exists():
            check.add(ErrorCode.TAKEN, f"A configuration named {name!r} exists already.", "name")
    if description is not None and len(description) > DESCRIPTION_MAX:
        check.add(ErrorCode.INVALID, f"Use at most {DESCRIPTION_MAX} characters.", "description")


async def create(actor: Actor, name: str, description: str | None) -> Configuration:
    actor.require_admin()
    name, description = name.strip(), (description or "").strip()
    check = Collector()
    await _check(actor, check, name, description)
    check.raise_if_any()
    async with audit.unit_of_work():
        configuration = await Configuration.create(
            organisation_id=actor.organisation_id, name=name, description=description
        )
        await audit.record("configuration.created", organisation_id=actor.organisation_id, actor=actor,
                           configuration_id=configuration.id)
    return configuration


async def update(actor: Actor, configuration_id: int | None, name: str | None, description: str | None):
    configuration = await get(actor, configuration_id)
    name = name.strip() if name is not None else None
    description = description.strip() if description is not None else None
    check = Collector()
    await _check(actor, check, name, description, exclude_id=configuration.id)
    check.raise_if_any()
    if name is not None:
        configuration.name = name
    if description is not None:
        configuration.description = description
    async with audit.unit_of_work():
        await configuration.save()
        await audit.record("configuration.updated", organisation_id=actor.organisation_id, actor=actor,
                           configuration_id=configuration.id)
    return configuration


async def delete(actor: Actor, configuration_id: int | None) -> Configuration:
    """Refused while an active code or a device that is not revoked uses it."""
    configuration = await get(actor, configuration_id)
    now = utcnow()
    async with audit.unit_of_work():
        codes_in_use = await ConnectionCode.filter(
            codes.status_filter(codes.CodeStatus.ACTIVE, now), configuration_id=configuration.id
        ).count()
        devices_in_use = await Device.filter(
            configuration_id=configuration.id, state=DeviceState.APPROVED
        ).count()
        if codes_in_use or devices_in_use:
            raise refuse(
                ErrorCode.IN_USE,
                f"{codes_in_use} active connection code(s) and {devices_in_use} device(s) use this "
                "configuration: revoke them first.",
                "id",
            )
        configuration.deleted_at = now
        await configuration.save(update_fields=["deleted_at"])
        await audit.record("configuration.deleted", organisation_id=actor.organisation_id, actor=actor,
                           configuration_id=configuration.id)
    return configuration
