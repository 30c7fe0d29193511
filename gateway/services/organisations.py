"""Organisations (tenants) and their first admin."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from gateway.models import LoginMethod, Organisation, Role, User
from gateway.services import passwords
from gateway.services.errors import Collector, ErrorCode


async def create_organisation(name: str, admin_username: str, admin_password: str) -> tuple[Organisation, User]:
    """Create a tenant with one ADMIN who logs in by password."""
    check = Collector()
    name = name.strip()
    admin_username = admin_username.strip()
    if not name:
        check.add(ErrorCode.REQUIRED, "Give the organisation a name.", "name")
    if not admin_username:
        check.add(ErrorCode.REQUIRED, "Give the admin a username.", "adminUsername")
    elif await User.filter(username=admin_username).exists():
        check.add(ErrorCode.TAKEN, f"The username {admin_username!r} is taken.", "adminUsername")
    for message in passwords.problems(admin_password):
        check.add(ErrorCode.INVALID, message, "password")
    check.raise_if_any()
    password_hash = await passwords.hash_password(admin_password)
    async with in_transaction():
        organisation = await Organisation.create(name=name)
        admin = await User.create(
            organisation=organisation,
            username=admin_username,
            display_name=admin_username,
            role=Role.ADMIN,
            login_method=LoginMethod.PASSWORD,
            password_hash=password_hash,
        )
    return organisation, admin


async def get(organisation_id: int) -> Organisation:
    return await Organisation.get(id=organisation_id)
