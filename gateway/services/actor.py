"""Who is asking, and from where: passed to every service call."""

from __future__ import annotations

import dataclasses

from gateway.models import Device, Role, Session, User
from gateway.services.errors import Forbidden, NotAuthenticated, SessionLocked


@dataclasses.dataclass
class Client:
    """What the transport knows about the caller."""

    ip_address: str | None = None
    user_agent: str = ""
    device_token: str | None = None
    app_version: str | None = None  # the device app's version (X-App-Version), as it can be stored


@dataclasses.dataclass
class Actor:
    client: Client
    session: Session | None = None
    user: User | None = None
    device: Device | None = None
    # The request's session when it is locked at its register. It then acts as nobody (no
    # ``session``, no ``user`` above) until a PIN typed there unlocks it; logging out uses it.
    locked_session: Session | None = None

    @property
    def organisation_id(self) -> int:
        return self.require_user().organisation_id

    def require_user(self) -> User:
        if self.user is None:
            raise SessionLocked() if self.locked_session is not None else NotAuthenticated()
        return self.user

    def require_admin(self) -> User:
        """ADMIN and MANAGER administer the organisation."""
        user = self.require_user()
        if user.role not in (Role.ADMIN, Role.MANAGER):
            raise Forbidden()
        return user
