"""Manager overrides: an ADMIN or MANAGER types their PIN on a cashier's register to approve
one restricted action (a refund, a void…); the register gets a token it redeems once.

The PIN is checked by ``auth.typed_pin``, the very transaction a PIN login runs: the same
device row and organisation budget count it, in the same lock order. So an override PIN
is no second door with its own guesses: switching between login and override, or between
actions, buys nothing. A PIN that names someone who may not approve (a STAFF member, the
requester themselves) is answered, counted and timed exactly like a PIN nobody has: any
other answer would tell the typist that it is somebody's PIN.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from gateway.models import Device, Override, Session, User
from gateway.plugin_types import OverrideActionSpec
from gateway.services import audit, auth
from gateway.services.actor import Actor
from gateway.services.clock import utcnow
from gateway.services.errors import Collector, ErrorCode, NotAuthenticated, refuse
from gateway.services.pagination import one
from gateway.services.runtime import Runtime
from gateway.services.tokens import hash_token, new_token

# Long enough to finish the sale the manager just approved, too short to keep for later.
TOKEN_LIFETIME = timedelta(seconds=60)
REASON_MAX = 500  # the column's size


@dataclasses.dataclass
class Approval:
    override: Override
    token: str  # shown once; the row keeps its hash


def may_approve(spec: OverrideActionSpec, requester: User, user: User) -> bool:
    """Whether ``user``'s PIN approves ``spec`` for ``requester``: someone else (four eyes), in one
    of the action's approver roles, whose login method allows a PIN."""
    return (user.id != requester.id and user.role.value in spec.approver_roles
            and user.login_method in auth.PIN_METHODS)


async def approve(runtime: Runtime, actor: Actor, pin: str, action: str | None, reason: str | None) -> Approval:
    """Approve ``action`` for the request's session with the PIN typed on its register."""
    requester = actor.require_user()
    problems = Collector()
    spec = runtime.override_actions.get(action) if action else None
    if not action:
        problems.add(ErrorCode.REQUIRED, "Say which action the manager approves.", "action")
    elif spec is None:  # the enum keeps this out; a plugin removed since the client loaded its schema
        problems.add(ErrorCode.INVALID, "No such override action.", "action")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        problems.add(ErrorCode.INVALID, f"Use at most {REASON_MAX} characters.", "reason")
    problems.raise_if_any()
    # The PIN is typed on the register the requester is logged in on, and counted there: a
    # device token from elsewhere would let a session spend (or dodge) another register's budget.
    if actor.device is None or actor.session.device_id != actor.device.id:
        raise refuse(ErrorCode.DEVICE_NOT_APPROVED,
                     "Approve overrides on the register you are logged in on (send its X-Device-Token).")

    async def record(approver: User, device: Device) -> Approval:
        # The approver's row is locked (the PIN lookup); the requester's is locked now, after it
        # (every PIN transaction holds the organisation's budget first, so no two take these two
        # the other way round), and must still be live with this session: a deletion or a change
        # of credentials that committed meanwhile ended it, and no override outlives it.
        if not await _still_live(actor):
            raise NotAuthenticated()
        token, now = new_token(), utcnow()
        override = await Override.create(
            organisation_id=device.organisation_id, action=spec.key, reason=reason, device=device,
            session_id=actor.session.id, requested_by_id=requester.id, approved_by=approver,
            token_hash=hash_token(token), created_at=now, expires_at=now + TOKEN_LIFETIME)
        await audit.record("override.approved", organisation_id=device.organisation_id, actor=actor,
                           device_id=device.id, override_id=override.id, action=spec.key,
                           requester_id=requester.id, approver_id=approver.id)
        return Approval(override, token)

    _, approval = await auth.typed_pin(
        runtime, actor, pin, may_use=lambda user: may_approve(spec, requester, user), then=record,
        failure="override.refused",
        failure_data=lambda named: {"action": spec.key, "requester_id": requester.id,
                                    "approver_id": named.id if named else None})
    if approval is None:
        raise refuse(ErrorCode.INVALID_CREDENTIALS, auth.WRONG_PIN, "pin")
    return approval


async def _still_live(actor: Actor) -> bool:
    requester = await User.filter(id=actor.user.id, deleted_at=None).select_for_update(no_key=True).first()
    return requester is not None and await Session.filter(id=actor.session.id, ended_at=None).exists()


async def redeem(actor: Actor, token: str | None) -> Override:
    """Consume an override token of the actor's organisation, exactly once."""
    redeemer = actor.require_user()
    if not token:
        raise refuse(ErrorCode.REQUIRED, "Send the override token.", "token")
    found = await Override.get_or_none(token_hash=hash_token(token), organisation_id=redeemer.organisation_id)
    if found is None:  # unknown and another organisation's look the same
        raise refuse(ErrorCode.NOT_FOUND, "No such override token.", "token")
    now = utcnow()
    async with audit.unit_of_work():
        # Rows in the one order, user before sessions: the redeemer's row first (the update below
        # names them, so it takes a share of their row), then the asking session's. Taken the
        # other way round, redeeming while the admin deletes the redeemer deadlocked.
        if await User.filter(id=redeemer.id, deleted_at=None).select_for_update(no_key=True).first() is None:
            raise NotAuthenticated()  # deleted while this request was on its way
        # No override outlives the session that asked for it (a colleague's PIN took the register
        # over, the register or the cashier was logged out, the register revoked): its row is held
        # until commit, so an end that commits first voids the token, and one that comes later
        # finds it redeemed.
        asked = found.session_id and await (Session.filter(id=found.session_id, ended_at=None)
                                            .select_for_update(no_key=True).first())
        if not asked:
            raise refuse(ErrorCode.EXPIRED, "The session that asked for this override has ended: ask the "
                                            "manager again.", "token")
        # The conditional UPDATE is the guard: when many redeem one token at once, the row
        # lock lets exactly one of them match; the others find it redeemed.
        claimed = await Override.filter(id=found.id, redeemed_at=None, expires_at__gt=now).update(
            redeemed_at=now, redeemed_by_id=redeemer.id)
        if claimed != 1:
            await found.refresh_from_db()
            if found.redeemed_at is not None:
                raise refuse(ErrorCode.ALREADY_USED, "This override was redeemed already.", "token")
            raise refuse(ErrorCode.EXPIRED, "This override has expired: ask the manager again.", "token")
        found.redeemed_at, found.redeemed_by_id = now, redeemer.id
        await audit.record("override.redeemed", organisation_id=found.organisation_id, actor=actor,
                           override_id=found.id, action=found.action, requester_id=found.requested_by_id,
                           approver_id=found.approved_by_id)
    return found


async def find(actor: Actor, override_id: int | None) -> Override:
    """An override of the actor's organisation, whoever asks (what they may read of it is the caller's rule)."""
    return await one(Override.filter(organisation_id=actor.organisation_id), override_id, "override")
