"""Logging in and out, and the viewer: who is logged in, where."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.graphql import access
from gateway.graphql.devices import Device
from gateway.graphql.errors import ERRORS, INPUT, UserError, user_errors
from gateway.graphql.inputs import mutation
from gateway.graphql.organisation import Organisation
from gateway.graphql.sessions import Session
from gateway.graphql.users import User
from gateway.services import auth, devices
from gateway.services.actor import Actor
from gateway.services.errors import UserErrors

DeviceApprovalPrompt = strawberry.enum(
    devices.Prompt, name="DeviceApprovalPrompt",
    description="After a password login: ask an ADMIN or MANAGER to approve this device (PROMPT), don't "
    "(NOT_NEEDED: approved already, STAFF, or PIN login off), or they said not to ask again (SUPPRESSED).",
)


@strawberry.type(description="The logged-in user and where they are.")
class Viewer:
    user: User = strawberry.field(description="Who is logged in.")
    session: Session = strawberry.field(description="The session of this request.")
    organisation: Organisation = strawberry.field(description="Their organisation.")
    device: Device | None = strawberry.field(description="The device of this request (X-Device-Token), if known.")


@strawberry.input(description="Username and password.")
class LoginWithPasswordInput:
    username: str = strawberry.field(description="The user's username.")
    password: str = strawberry.field(description="The user's password.")


@strawberry.input(description="A PIN typed on the PIN pad.")
class LoginWithPinInput:
    pin: str = strawberry.field(description="The user's PIN; it alone names the user.")


@strawberry.type(description="The result of a login.")
class LoginPayload:
    token: str | None = strawberry.field(description="Session token, shown once: send it as `Authorization: Bearer`.")
    session: Session | None = strawberry.field(description="The new session.")
    user: User | None = strawberry.field(description="Who logged in.")
    device_token: str | None = strawberry.field(
        description="A new device token, when the request carried none: send it as `X-Device-Token` from now on."
    )
    device_approval: DeviceApprovalPrompt | None = strawberry.field(
        description="Whether to ask an ADMIN or MANAGER to approve this device for PIN login."
    )
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of a logout.")
class LogoutPayload:
    session: Session | None = strawberry.field(description="The session that ended.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


async def _login(info: Info, attempt) -> LoginPayload:
    try:
        result = await attempt
    except UserErrors as exc:
        return LoginPayload(token=None, session=None, user=None, device_token=None, device_approval=None,
                            user_errors=user_errors(exc))
    # The login read these already: a payload asking for session { device user } needs no query.
    info.context.loaders.prime(row for row in (result.device, result.user) if row is not None)
    # The payload is read as the new session's user: what they may read from now on.
    info.context.reader = access.Reader.of(Actor(client=info.context.client, session=result.session,
                                                 user=result.user, device=result.device))
    return LoginPayload(
        token=result.token, session=Session.of(result.session), user=User.of(result.user),
        device_token=result.device_token, device_approval=result.prompt, user_errors=[],
    )


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in user, session and organisation; null when logged out.")
    async def viewer(self, info: Info) -> Viewer | None:
        actor = await info.context.actor()
        if actor.user is None:
            return None
        return Viewer(
            user=User.of(actor.user),
            session=Session.of(actor.session),
            organisation=Organisation.of(actor.session.organisation),
            device=Device.of(actor.device) if actor.device else None,  # never another organisation's (context.py)
        )


@strawberry.type
class Mutation:
    @mutation(description="Log in with username and password. Issues a device token when the request has none.")
    async def login_with_password(self, info: Info, input: Annotated[LoginWithPasswordInput, INPUT]) -> LoginPayload:
        return await _login(info, auth.login_with_password(info.context.client, input.username, input.password))

    @mutation(description="Log in with a PIN alone, on an approved device (X-Device-Token).")
    async def login_with_pin(self, info: Info, input: Annotated[LoginWithPinInput, INPUT]) -> LoginPayload:
        return await _login(info, auth.login_with_pin(info.context.runtime, info.context.client, input.pin))

    @mutation(description="End the session of this request.")
    async def logout(self, info: Info) -> LogoutPayload:
        session = await auth.logout(await info.context.actor())
        return LogoutPayload(session=Session.of(session), user_errors=[])
