"""Users: who works for the organisation, their role and how they log in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway import models
from gateway.graphql import ids, node, prefetch
from gateway.graphql import sessions as session_types
from gateway.graphql.errors import ERRORS, INPUT, UserError, respond, user_errors
from gateway.graphql.inputs import mutation
from gateway.graphql.loaders import related
from gateway.graphql.pagination import After, Connection, First, connection, nested
from gateway.services import pin_change, users
from gateway.services.errors import UserErrors

# Types of sibling modules, found when the schema is built: the domain modules refer to each other.
SessionRef = Annotated["Session", strawberry.lazy("gateway.graphql.sessions")]

Role = strawberry.enum(models.Role, description="What a user may do: ADMIN and MANAGER administer, STAFF sells.")
LoginMethod = strawberry.enum(models.LoginMethod, description="How a user may log in.")


@strawberry.type(description="A person who works for the organisation.")
class User(node.Node):
    model: strawberry.Private[models.User]
    username: str = strawberry.field(description="Login name, unique across the gateway.")
    display_name: str = strawberry.field(description="Name shown on screens and receipts.")
    role: Role = strawberry.field(description="What the user may do.")
    login_method: LoginMethod = strawberry.field(description="How the user may log in.")
    has_pin: bool = strawberry.field(description="A PIN is set (the PIN itself is never shown).")
    created_at: datetime = strawberry.field(description="When the user was created.")

    @classmethod
    def of(cls, m: models.User) -> "User":
        return cls(
            model=m, id=ids.encode("User", m.id), username=m.username, display_name=m.display_name,
            role=m.role, login_method=m.login_method, has_pin=m.pin_hmac is not None, created_at=m.created_at,
        )

    @strawberry.field(description="The user's sessions, newest first.")
    def sessions(self, info: Info, active: session_types.ActiveArg = None, first: First = None,
                 after: After = None) -> Connection[SessionRef]:
        return nested(info, info.context.loaders.sessions_by_user, self.model.id, (active,), first, after,
                      session_types.Session.of)


node.register(User, users.find)


def user(info: Info, user_id: int | None):
    """The user with this id, through the request's loader (a reference from another object)."""
    return related(info.context.loaders.user, user_id, User.of)


@strawberry.input(description="A new user. A method that needs a password or a PIN cannot be saved without one.")
class UserCreateInput:
    username: str | None = strawberry.field(default=None, description="Required. Unique across the gateway.")
    display_name: str | None = strawberry.field(default=None, description="Shown on screens (default: the username).")
    role: Role | None = strawberry.field(default=None, description="Required. A MANAGER cannot create an ADMIN.")
    login_method: LoginMethod | None = strawberry.field(default=None, description="Default PASSWORD.")
    password: str | None = strawberry.field(default=None, description="At least 8 characters.")
    pin: str | None = strawberry.field(default=None, description="A PIN that follows the organisation's rules.")
    generate_pin: bool = strawberry.field(default=False, description="Let the server choose a unique PIN (returned once).")


@strawberry.input(description="Changes to a user; omitted fields stay as they are.")
class UserUpdateInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    display_name: str | None = strawberry.field(default=None, description="New display name.")
    role: Role | None = strawberry.field(default=None, description="New role.")
    login_method: LoginMethod | None = strawberry.field(default=None, description="New login method.")
    password: str | None = strawberry.field(default=None, description="New password.")
    pin: str | None = strawberry.field(default=None, description="New PIN.")
    generate_pin: bool = strawberry.field(default=False, description="Let the server choose a new PIN (returned once).")


@strawberry.input(description="The user to delete; their sessions end.")
class UserDeleteInput:
    id: strawberry.ID = strawberry.field(description="The user.")


@strawberry.type(description="The result of userCreate.")
class UserCreatePayload:
    user: User | None = strawberry.field(description="The new user.")
    generated_pin: str | None = strawberry.field(description="The generated PIN, shown this once.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of userUpdate.")
class UserUpdatePayload:
    user: User | None = strawberry.field(description="The user, as it is now.")
    generated_pin: str | None = strawberry.field(description="The generated PIN, shown this once.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of userDelete.")
class UserDeletePayload:
    user: User | None = strawberry.field(description="The deleted user.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="Your current PIN, to be replaced by a generated one.")
class ViewerPinChangeInput:
    current_pin: str | None = strawberry.field(default=None, description="Required. The PIN you log in with now.")


@strawberry.type(description="The result of viewerPinChange.")
class ViewerPinChangePayload:
    user: User | None = strawberry.field(description="You, with your new PIN.")
    generated_pin: str | None = strawberry.field(description="Your new PIN, shown this once.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The user to log out everywhere.")
class UserLogoutInput:
    id: strawberry.ID = strawberry.field(description="The user.")


@strawberry.type(description="The result of userLogout.")
class UserLogoutPayload:
    user: User | None = strawberry.field(description="The user, whose sessions all ended.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


def _changes(input) -> users.UserChanges:
    return users.UserChanges(
        username=getattr(input, "username", None), display_name=input.display_name,
        role=models.Role(input.role.value) if input.role else None,
        login_method=models.LoginMethod(input.login_method.value) if input.login_method else None,
        password=input.password, pin=input.pin, generate_pin=input.generate_pin,
    )


async def _with_pin(payload, change):
    try:
        changed, pin = await change
    except UserErrors as exc:
        return payload(user=None, generated_pin=None, user_errors=user_errors(exc))
    return payload(user=User.of(changed), generated_pin=pin, user_errors=[])


@strawberry.type
class Query:
    @strawberry.field(description="Users of the organisation (ADMIN, MANAGER).")
    async def users(self, info: Info, first: First = None, after: After = None) -> Connection[User]:
        actor = await info.context.actor()
        page = await users.list_page(actor, first, ids.after_id(after))
        await prefetch.users(info, page.items)
        return connection(page, User.of, info.context.loaders)


@strawberry.type
class Mutation:
    @mutation(description="Create a user (ADMIN, MANAGER).")
    async def user_create(self, info: Info, input: Annotated[UserCreateInput, INPUT]) -> UserCreatePayload:
        actor = await info.context.actor()
        return await _with_pin(UserCreatePayload, users.create(actor, info.context.runtime, _changes(input)))

    @mutation(description="Change a user (ADMIN, MANAGER).")
    async def user_update(self, info: Info, input: Annotated[UserUpdateInput, INPUT]) -> UserUpdatePayload:
        actor = await info.context.actor()
        return await _with_pin(UserUpdatePayload, users.update(
            actor, info.context.runtime, ids.key(input.id, "User"), _changes(input)))

    @mutation(description="Log a user out everywhere: all their sessions end (ADMIN, MANAGER; a MANAGER not an ADMIN).")
    async def user_logout(self, info: Info, input: Annotated[UserLogoutInput, INPUT]) -> UserLogoutPayload:
        actor = await info.context.actor()
        return await respond(UserLogoutPayload, "user", users.logout(actor, ids.key(input.id, "User")), User.of)

    @mutation(description=(
        "Change your own PIN: prove the current one and get a new, generated one, shown once. Your other "
        "sessions end; this one stays. A wrong current PIN counts like a wrong PIN at the PIN pad."))
    async def viewer_pin_change(self, info: Info,
                                input: Annotated[ViewerPinChangeInput, INPUT]) -> ViewerPinChangePayload:
        actor = await info.context.actor()
        return await _with_pin(ViewerPinChangePayload, pin_change.change(actor, info.context.runtime,
                                                                         input.current_pin))

    @mutation(description="Delete a user and end their sessions (ADMIN, MANAGER).")
    async def user_delete(self, info: Info, input: Annotated[UserDeleteInput, INPUT]) -> UserDeletePayload:
        actor = await info.context.actor()
        return await respond(UserDeletePayload, "user", users.delete(actor, ids.key(input.id, "User")), User.of)
