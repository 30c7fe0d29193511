"""Sessions: who logged in, on which device, from where, until when; locked at their register; ended by
ADMIN and MANAGER."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import devices as device_types
from gateway.graphql import ids, node, prefetch
from gateway.graphql import users as user_types
from gateway.graphql.errors import ERRORS, INPUT, UserError, respond
from gateway.graphql.inputs import mutation
from gateway.graphql.pagination import After, Connection, First, connection
from gateway.services import lock_screen, sessions

AuthMethod = strawberry.enum(models.AuthMethod, description="How a session was opened.")
SessionEndReason = strawberry.enum(sessions.EndReason, name="SessionEndReason", description=(
    "Why a session ended. LOGOUT: the user logged out. IDLE_TIMEOUT: no request for the organisation's idle "
    "minutes. MAX_LIFETIME: its hours since login were up. ENDED_BY_ADMIN: an ADMIN or MANAGER ended it. "
    "DEVICE_REVOKED, DEVICE_DELETED: its device was revoked or deleted. DEVICE_LOGGED_OUT: its device was "
    "logged out. USER_DELETED: its user was deleted. USER_SWITCHED: it was locked, and a PIN typed on its device "
    "gave the register to another user (or resumed a newer locked session of the same user). "
    "CREDENTIALS_CHANGED: its user's password, PIN, login method or role changed."))
ActiveArg = Annotated[bool | None, strawberry.argument(description="true: only live sessions; false: only ended ones.")]


# Types of sibling modules, found when the schema is built: the domain modules refer to each other.
DeviceRef = Annotated["Device", strawberry.lazy("gateway.graphql.devices")]
UserRef = Annotated["User", strawberry.lazy("gateway.graphql.users")]

@strawberry.type(description="A login: who, on which device, from where, and until when.")
class Session(node.Node):
    model: strawberry.Private[models.Session]
    method: AuthMethod = strawberry.field(description="Password or PIN.")
    ip_address: str | None = strawberry.field(description="Client address at login.")
    user_agent: str = strawberry.field(description="Client software at login.")
    created_at: datetime = strawberry.field(description="Login time.")
    last_seen_at: datetime = strawberry.field(description="Last request, to the minute.")
    expires_at: datetime = strawberry.field(description="Absolute end of the session.")
    ended_at: datetime | None = strawberry.field(description="When it ended, if it did.")
    end_reason: SessionEndReason | None = strawberry.field(description="Why it ended; null while it is live.")
    locked_at: datetime | None = strawberry.field(description=(
        "When it was locked at its register; null once a PIN unlocks it. Kept after it ends: a session "
        "that ended locked (USER_SWITCHED, IDLE_TIMEOUT) says since when."))

    @classmethod
    def of(cls, m: models.Session) -> "Session":
        return cls(
            model=m, id=ids.encode("Session", m.id), method=m.method, ip_address=m.ip_address,
            user_agent=m.user_agent, created_at=m.created_at, last_seen_at=m.last_seen_at,
            expires_at=m.expires_at, ended_at=m.ended_at,
            end_reason=sessions.EndReason(m.end_reason) if m.end_reason else None, locked_at=m.locked_at,
        )

    @strawberry.field(description="The session is still usable.")
    def active(self) -> bool:
        return self.model.ended_at is None

    @strawberry.field(description=(
        "Live and locked at its register (sessionLock, or idle for the organisation's sessionLockMinutes): "
        "its token answers SESSION_LOCKED until the same user's PIN, typed on that device, unlocks it."))
    def locked(self) -> bool:
        return self.model.ended_at is None and self.model.locked_at is not None

    @strawberry.field(description="Who logged in.")
    def user(self, info: Info) -> UserRef | None:
        return user_types.user(info, self.model.user_id)

    @strawberry.field(description="The device logged in on, when known.")
    def device(self, info: Info) -> DeviceRef | None:
        return device_types.device(info, self.model.device_id)


node.register(Session, sessions.find)


@strawberry.input(description="The session to end.")
class SessionEndInput:
    id: strawberry.ID = strawberry.field(description="The session.")


@strawberry.type(description="The result of sessionEnd.")
class SessionEndPayload:
    session: Session | None = strawberry.field(description="The ended session.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The session to lock.")
class SessionLockInput:
    id: strawberry.ID | None = strawberry.field(default=None, description=(
        "The session; omitted: this request's own. ADMIN and MANAGER may lock any session of the "
        "organisation, STAFF only their own."))


@strawberry.type(description="The result of sessionLock.")
class SessionLockPayload:
    session: Session | None = strawberry.field(description="The session, locked.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class Query:
    @strawberry.field(description="Sessions of the organisation (ADMIN, MANAGER), newest first.")
    async def sessions(
        self, info: Info,
        active: Annotated[bool | None, strawberry.argument(description="true: live sessions; false: ended ones.")] = None,
        device_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only the sessions of this device.")] = None,
        user_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only the sessions of this user.")] = None,
        first: First = None, after: After = None,
    ) -> Connection[Session]:
        actor = await info.context.actor()
        page = await sessions.list_page(actor, active, first, ids.after_id(after),
                                        device_id=ids.key(device_id, "Device"), user_id=ids.key(user_id, "User"))
        await prefetch.sessions(info, page.items)
        return connection(page, Session.of, info.context.loaders)


@strawberry.type
class Mutation:
    @mutation(description="End a session now (ADMIN, MANAGER).")
    async def session_end(self, info: Info, input: Annotated[SessionEndInput, INPUT]) -> SessionEndPayload:
        actor = await info.context.actor()
        return await respond(SessionEndPayload, "session", sessions.end_by_admin(actor, ids.key(input.id, "Session")),
                             Session.of)

    @mutation(description=(
        "Lock a PIN session at its register: its token then answers SESSION_LOCKED (but for thisDevice, "
        "logout and loginWithPin) until the same user's PIN, typed on that device, unlocks it; another "
        "user's PIN ends it (USER_SWITCHED). Locking a locked session changes nothing; a session opened "
        "with a password cannot be locked (METHOD_NOT_ALLOWED: log out instead)."))
    async def session_lock(self, info: Info, input: Annotated[SessionLockInput, INPUT]) -> SessionLockPayload:
        actor = await info.context.actor()
        payload = await respond(SessionLockPayload, "session", lock_screen.lock(actor, ids.key(input.id, "Session")),
                                Session.of)
        if payload.session is not None and payload.session.model.id == actor.session.id:
            info.context.session_locked()  # what the rest of this document does, it does locked
        return payload
