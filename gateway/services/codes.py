"""Connection codes: created, shown, redeemed by devices, revoked. Never edited."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone
from enum import Enum
from urllib.parse import urlencode

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from gateway.models import Configuration, ConnectionCode, Device, DeviceState
from gateway.services import audit, live, sessions, throttle
from gateway.services.actor import Actor, Client
from gateway.services.clock import utcnow
from gateway.services.errors import Collector, ErrorCode, refuse
from gateway.services.pagination import Page, one, page
from gateway.plugin_types import PluginError
from gateway.services.runtime import Runtime
from gateway.services.tokens import hash_token, new_token

MAX_LIFETIME = timedelta(days=365)
DESCRIPTION_MAX = 200
VALUE_MAX = 64
_GENERATE_ATTEMPTS = 8
_SEPARATORS = re.compile(r"[\s\-_.]+")


class CodeStatus(str, Enum):
    ACTIVE = "ACTIVE"
    USED = "USED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


def normalise(value: str) -> str:
    """What a person typed or a scanner read, as stored: no separators, upper case."""
    return _SEPARATORS.sub("", value).upper()


def display(value: str) -> str:
    """``482109375562`` → ``4821-0937-5562``: groups of four are easy to read out."""
    return "-".join(value[i : i + 4] for i in range(0, len(value), 4))


def pairing_uri(runtime: Runtime, value: str) -> str:
    return "pairgate://pair?" + urlencode({"server": runtime.settings.public_url, "code": value})


def status(code: ConnectionCode, now: datetime | None = None) -> CodeStatus:
    now = now or utcnow()
    if code.revoked_at is not None:
        return CodeStatus.REVOKED
    if code.single_use and code.use_count > 0:
        return CodeStatus.USED
    if code.expires_at <= now:
        return CodeStatus.EXPIRED
    return CodeStatus.ACTIVE


def status_filter(wanted: CodeStatus, now: datetime) -> Q:
    used = Q(single_use=True, use_count__gt=0)
    live = Q(revoked_at=None)
    return {
        CodeStatus.REVOKED: ~Q(revoked_at=None),
        CodeStatus.USED: live & used,
        CodeStatus.EXPIRED: live & ~used & Q(expires_at__lte=now),
        CodeStatus.ACTIVE: live & ~used & Q(expires_at__gt=now),
    }[wanted]


def _scoped(actor: Actor):
    return ConnectionCode.filter(organisation_id=actor.organisation_id)


async def get(actor: Actor, code_id: int | None) -> ConnectionCode:
    actor.require_admin()
    return await find(actor, code_id)


async def find(actor: Actor, code_id: int | None) -> ConnectionCode:
    """A code of the actor's organisation, whoever asks (what they may read of it is the caller's rule)."""
    return await one(_scoped(actor), code_id, "connection code")


async def list_page(actor: Actor, wanted: CodeStatus | None, first: int | None, after_id: int | None) -> Page:
    actor.require_admin()
    queryset = _scoped(actor)
    if wanted is not None:
        queryset = queryset.filter(status_filter(wanted, utcnow()))
    return await page(queryset, first, after_id)


@dataclasses.dataclass
class NewCode:
    description: str | None
    device_type: str | None
    configuration_id: int | None
    expires_at: datetime | None
    single_use: bool = False


async def create(actor: Actor, runtime: Runtime, data: NewCode) -> ConnectionCode:
    actor.require_admin()
    now = utcnow()
    check = Collector()
    description = (data.description or "").strip()
    if not description:
        check.add(ErrorCode.REQUIRED, "Describe the device, e.g. “Bar iPad”.", "description")
    elif len(description) > DESCRIPTION_MAX:
        check.add(ErrorCode.INVALID, f"Use at most {DESCRIPTION_MAX} characters.", "description")
    if not data.device_type:
        check.add(ErrorCode.REQUIRED, "Choose a device type.", "deviceType")
    elif data.device_type not in runtime.device_types:
        check.add(ErrorCode.INVALID, f"Unknown device type {data.device_type!r}.", "deviceType")
    configuration = None
    if data.configuration_id is None:
        check.add(ErrorCode.REQUIRED, "Choose the configuration the device will run.", "configurationId")
    else:
        configuration = await Configuration.get_or_none(
            id=data.configuration_id, organisation_id=actor.organisation_id, deleted_at=None
        )
        if configuration is None:
            check.add(ErrorCode.NOT_FOUND, "No such configuration.", "configurationId")
    expires_at = data.expires_at
    if expires_at is None:
        check.add(ErrorCode.REQUIRED, "Choose when the code expires.", "expiresAt")
    else:
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=timezone.utc)
        if expires_at <= now:
            check.add(ErrorCode.INVALID, "The expiry must be in the future.", "expiresAt")
        elif expires_at > now + MAX_LIFETIME:
            check.add(ErrorCode.INVALID, "The expiry must be at most 365 days ahead.", "expiresAt")
    check.raise_if_any()

    for _ in range(_GENERATE_ATTEMPTS):
        value = _generated_value(runtime)
        try:
            async with audit.unit_of_work():
                # A dead code (revoked, used, expired) gives its value up to the new one.
                await ConnectionCode.filter(lookup_value=value).filter(
                    ~Q(revoked_at=None) | Q(single_use=True, use_count__gt=0) | Q(expires_at__lte=now)
                ).update(lookup_value=None)
                code = await ConnectionCode.create(
                    organisation_id=actor.organisation_id,
                    value=value,
                    lookup_value=value,
                    description=description,
                    device_type=data.device_type,
                    configuration=configuration,
                    expires_at=expires_at,
                    single_use=bool(data.single_use),
                    created_by=actor.user,
                )
                await audit.record("code.created", organisation_id=actor.organisation_id, actor=actor,
                                   code_id=code.id, device_type=code.device_type, single_use=code.single_use)
            return code
        except IntegrityError:
            continue  # the value belongs to a live code: draw another
    raise PluginError("generate_connection_code keeps returning values of live codes")


def _generated_value(runtime: Runtime) -> str:
    raw = runtime.plugins.hook.generate_connection_code()
    value = normalise(str(raw or ""))
    if not value or len(value) > VALUE_MAX:
        raise PluginError(f"generate_connection_code returned an unusable value: {raw!r}")
    return value


async def revoke(actor: Actor, code_id: int | None, revoke_devices: bool) -> ConnectionCode:
    code = await get(actor, code_id)
    if code.revoked_at is not None:
        raise refuse(ErrorCode.REVOKED, "This code is revoked already.", "id")
    now = utcnow()
    async with audit.unit_of_work():
        code.revoked_at, code.revoked_by = now, actor.user
        await code.save(update_fields=["revoked_at", "revoked_by_id"])
        revoked = []
        if revoke_devices:
            revoked = await Device.filter(paired_with_id=code.id, state=DeviceState.APPROVED).values_list("id", flat=True)
            await Device.filter(id__in=revoked).update(state=DeviceState.REVOKED)
            await sessions.end_for_devices(revoked, sessions.EndReason.DEVICE_REVOKED)
        await audit.record("code.revoked", organisation_id=actor.organisation_id, actor=actor,
                           code_id=code.id, revoked_devices=list(revoked))
        await live.emit(live.REVOKED, actor.organisation_id, code_id=code.id)
        for device_id in revoked:
            await audit.record("device.revoked", organisation_id=actor.organisation_id, actor=actor,
                               device_id=device_id, reason="code revoked")
            await live.emit(live.REVOKED, actor.organisation_id, device_id=device_id, code_id=code.id)
    return code


@dataclasses.dataclass
class Pairing:
    device_token: str
    device: Device
    configuration: Configuration


async def pair(runtime: Runtime, client: Client, raw_code: str, name: str | None) -> Pairing:
    """Redeem a code for a new device. No login: the code is the credential."""
    value = normalise(raw_code or "")
    if not value:
        raise refuse(ErrorCode.REQUIRED, "Type the connection code.", "code")
    keys = (throttle.Key(f"pair:address:{client.ip_address}", throttle.PAIR_ADDRESS),
            throttle.Key("pair:global", throttle.PAIR_GLOBAL))
    # Checked, not charged up front: 40-bit codes make a burst of parallel guesses
    # worthless, and a shop pairing many registers at once must not lock itself out.
    await throttle.check(*keys)
    code = None
    if len(value) <= VALUE_MAX:
        code = await ConnectionCode.get_or_none(lookup_value=value).select_related("configuration")
    if code is None:
        await throttle.failed(*keys)
        anonymous = Actor(client=client)
        await audit.record("pair.failed", organisation_id=None, actor=anonymous)
        await throttle.audit_locks(keys, None, anonymous)
        raise refuse(ErrorCode.NOT_FOUND, "No such connection code: check the digits.", "code")
    _refuse_unless_redeemable(code)
    name = (name or "").strip() or code.description
    if len(name) > DESCRIPTION_MAX:
        raise refuse(ErrorCode.INVALID, f"Use at most {DESCRIPTION_MAX} characters.", "name")
    token = new_token()
    now = utcnow()
    async with audit.unit_of_work():
        # The conditional UPDATE is the guard: under concurrent redemptions of a
        # single-use code the row lock lets exactly one of them match.
        claimed = await ConnectionCode.filter(id=code.id, revoked_at=None, expires_at__gt=now).filter(
            Q(single_use=False) | Q(use_count=0)
        ).update(use_count=F("use_count") + 1, last_paired_at=now)
        if claimed != 1:
            await code.refresh_from_db()
            _refuse_unless_redeemable(code)
            raise refuse(ErrorCode.ALREADY_USED, "This single-use code was used already.", "code")
        device = await Device.create(
            organisation_id=code.organisation_id,
            name=name,
            device_type=code.device_type,
            state=DeviceState.APPROVED,
            token_hash=hash_token(token),
            configuration_id=code.configuration_id,
            paired_with=code,
            approved_at=now,
            approved_by_id=code.created_by_id,
            last_seen_at=now,
        )
        await audit.record("device.paired", organisation_id=code.organisation_id, actor=Actor(client=client),
                           device_id=device.id, code_id=code.id)
        await live.emit(live.PAIRED, code.organisation_id, device_id=device.id, code_id=code.id)
        if code.single_use:
            await live.emit(live.USED, code.organisation_id, device_id=device.id, code_id=code.id)
    return Pairing(device_token=token, device=device, configuration=code.configuration)


def _refuse_unless_redeemable(code: ConnectionCode) -> None:
    state = status(code)
    if state is CodeStatus.REVOKED:
        raise refuse(ErrorCode.REVOKED, "This code was revoked.", "code")
    if state is CodeStatus.USED:
        raise refuse(ErrorCode.ALREADY_USED, "This single-use code was used already.", "code")
    if state is CodeStatus.EXPIRED:
        raise refuse(ErrorCode.EXPIRED, "This code has expired: ask for a new one.", "code")
