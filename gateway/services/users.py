"""Users of an organisation."""

from __future__ import annotations

from gateway.models import User
from gateway.services.actor import Actor
from gateway.services.pagination import Page, page


async def list_page(actor: Actor, first: int | None, after_id: int | None) -> Page[User]:
    actor.require_admin()
    return await page(User.filter(organisation_id=actor.organisation_id), first, after_id)


async def get(actor: Actor, user_id: int) -> User | None:
    """ADMIN and MANAGER see everyone in their organisation; others only themselves."""
    user = actor.require_user()
    if user_id == user.id:
        return user
    actor.require_admin()
    return await User.get_or_none(id=user_id, organisation_id=actor.organisation_id)
