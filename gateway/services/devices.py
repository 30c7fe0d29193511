"""Devices: paired by a code or approved by an admin; listed, renamed, revoked, deleted."""

from __future__ import annotations

from gateway.models import Device, DeviceState
from gateway.services.actor import Actor
from gateway.services.errors import ErrorCode, refuse
from gateway.services.pagination import Page, page
from gateway.services.tokens import hash_token

# Devices that were never approved hold a token but are not part of the list.
LISTED = (DeviceState.APPROVED, DeviceState.REVOKED)


def _listed(actor: Actor):
    return Device.filter(organisation_id=actor.organisation_id, state__in=LISTED)


async def by_token(token: str | None) -> Device | None:
    if not token:
        return None
    return await Device.get_or_none(token_hash=hash_token(token))


async def get(actor: Actor, device_id: int | None) -> Device:
    actor.require_admin()
    found = await _listed(actor).get_or_none(id=device_id) if device_id else None
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "No such device.", "id")
    return found


async def list_page(actor: Actor, state: DeviceState | None, first: int | None, after_id: int | None) -> Page:
    actor.require_admin()
    queryset = _listed(actor)
    if state is not None:
        queryset = queryset.filter(state=state)
    return await page(queryset, first, after_id)
