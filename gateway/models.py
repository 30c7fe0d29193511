"""Tortoise models. Every row that belongs to a tenant carries ``organisation``."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class Role(str, Enum):
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    STAFF = "STAFF"


class LoginMethod(str, Enum):
    PASSWORD = "PASSWORD"
    PASSWORD_AND_PIN = "PASSWORD_AND_PIN"
    PIN_ONLY = "PIN_ONLY"


class DeviceState(str, Enum):
    # PENDING devices exist (they hold a token) but were never approved and
    # are not listed; the GraphQL DeviceStatus has the same three values.
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REVOKED = "REVOKED"


class AuthMethod(str, Enum):
    PASSWORD = "PASSWORD"
    PIN = "PIN"


class Organisation(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    pin_login_enabled = fields.BooleanField(default=False)
    session_idle_minutes = fields.IntField(default=15)
    session_max_hours = fields.IntField(default=12)
    # A PIN session idle this long is locked (0: never); sessionIdleMinutes still ends it.
    session_lock_minutes = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organisation"


class User(Model):
    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="users", on_delete=fields.CASCADE)
    # Usernames are global: the password form does not ask for an organisation.
    username = fields.CharField(max_length=150, unique=True)
    display_name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16)
    login_method = fields.CharEnumField(LoginMethod, max_length=24, default=LoginMethod.PASSWORD)
    password_hash = fields.CharField(max_length=255, null=True)
    # HMAC-SHA256(secret, organisation ‖ pin): unique, so the PIN alone names the user.
    pin_hmac = fields.CharField(max_length=64, null=True, unique=True)
    # Which secret key pin_hmac is under (pins.key_id); null for PINs stored before keys could change.
    pin_key_id = fields.CharField(max_length=8, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Soft delete: the sessions of a deleted user stay visible with USER_DELETED.
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"
        indexes = (("organisation_id", "id"),)


class Configuration(Model):
    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="configurations", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # Soft delete: revoked and expired codes keep showing the profile they carried.
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "configuration"
        indexes = (("organisation_id", "name"),)


class ConnectionCode(Model):
    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="connection_codes", on_delete=fields.CASCADE
    )
    # The value as shown to people (normalised: no spaces or dashes, upper case).
    value = fields.CharField(max_length=64)
    # The same value while no newer code reuses it; a unique index keeps live
    # values unique, and redemption looks codes up by it.
    lookup_value = fields.CharField(max_length=64, null=True, unique=True)
    description = fields.CharField(max_length=200)
    device_type = fields.CharField(max_length=64)
    configuration = fields.ForeignKeyField(
        "models.Configuration", related_name="connection_codes", on_delete=fields.RESTRICT
    )
    expires_at = fields.DatetimeField()
    single_use = fields.BooleanField(default=False)
    use_count = fields.IntField(default=0)
    # When it last paired a device (kept here: the devices it paired may since be deleted).
    last_paired_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name="created_codes", null=True, on_delete=fields.SET_NULL
    )
    revoked_at = fields.DatetimeField(null=True)
    revoked_by = fields.ForeignKeyField(
        "models.User", related_name="revoked_codes", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "connection_code"
        indexes = (("organisation_id", "id"), ("configuration_id",))


class Device(Model):
    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="devices", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200, default="")
    device_type = fields.CharField(max_length=64)
    state = fields.CharEnumField(DeviceState, max_length=16, default=DeviceState.PENDING)
    token_hash = fields.CharField(max_length=64, unique=True)
    configuration = fields.ForeignKeyField(
        "models.Configuration", related_name="devices", null=True, on_delete=fields.SET_NULL
    )
    paired_with = fields.ForeignKeyField(
        "models.ConnectionCode", related_name="devices", null=True, on_delete=fields.SET_NULL
    )
    approved_at = fields.DatetimeField(null=True)
    approved_by = fields.ForeignKeyField(
        "models.User", related_name="approved_devices", null=True, on_delete=fields.SET_NULL
    )
    # "Don't ask again": never prompt for approval after a password login.
    approval_suppressed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(null=True)
    # When its live connection closed and it was not seen again: offline from then, however
    # recently it was seen, until its next request or connection (services/devices.py).
    offline_at = fields.DatetimeField(null=True)
    # The X-App-Version header of its last request, as the device app sent it.
    app_version = fields.CharField(max_length=64, null=True)
    # The device's PIN throttle lives on the row a PIN login locks anyway, so
    # each attempt sees the count the previous one left.
    pin_failures = fields.IntField(default=0, db_default=0)  # db_default: existing rows get 0 too
    pin_window_start = fields.DatetimeField(null=True)
    pin_locked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "device"
        # (organisation, id) walks a page in order whatever the state filter; (organisation,
        # state, id) serves one state. Either way a page reads ~100 index entries.
        indexes = (("organisation_id", "state", "id"), ("organisation_id", "id"), ("paired_with_id", "id"),
                   ("configuration_id",))


class Session(Model):
    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="sessions", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="sessions", on_delete=fields.CASCADE)
    device = fields.ForeignKeyField("models.Device", related_name="sessions", null=True, on_delete=fields.SET_NULL)
    method = fields.CharEnumField(AuthMethod, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    ip_address = fields.CharField(max_length=45, null=True)
    user_agent = fields.CharField(max_length=400, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    end_reason = fields.CharField(max_length=32, null=True)
    # Locked at the register: only a PIN typed on its device unlocks (same user) or ends it (another).
    locked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"
        indexes = (("organisation_id", "id"), ("device_id", "id"), ("user_id", "id"))


class Override(Model):
    """A manager's approval of one restricted action on a register, redeemable once."""

    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="overrides", on_delete=fields.CASCADE)
    action = fields.CharField(max_length=64)
    reason = fields.CharField(max_length=500, default="")
    # The register it was approved on, and the session that asked for it.
    device = fields.ForeignKeyField("models.Device", related_name="overrides", null=True, on_delete=fields.SET_NULL)
    session = fields.ForeignKeyField("models.Session", related_name="overrides", null=True,
                                     on_delete=fields.SET_NULL)
    requested_by = fields.ForeignKeyField("models.User", related_name="overrides_requested", on_delete=fields.CASCADE)
    approved_by = fields.ForeignKeyField("models.User", related_name="overrides_approved", on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    redeemed_at = fields.DatetimeField(null=True)
    redeemed_by = fields.ForeignKeyField("models.User", related_name="overrides_redeemed", null=True,
                                         on_delete=fields.SET_NULL)

    class Meta:
        table = "override"
        indexes = (("organisation_id", "id"),)


class AuditLog(Model):
    id = fields.BigIntField(primary_key=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="audit_log", null=True, on_delete=fields.CASCADE
    )
    type = fields.CharField(max_length=64)
    # No foreign-key constraint on the actor and the device: an audit event keeps naming
    # them after they are deleted (the constraint's SET NULL erased them from history), and
    # a login's insert need not lock their rows to check they exist (bench/README.md).
    actor = fields.ForeignKeyField("models.User", related_name="audit_log", null=True, on_delete=fields.NO_ACTION,
                                   db_constraint=False)
    device = fields.ForeignKeyField("models.Device", related_name="audit_log", null=True,
                                    on_delete=fields.NO_ACTION, db_constraint=False)
    ip_address = fields.CharField(max_length=45, null=True)
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_log"
        indexes = (("organisation_id", "id"),)


class Throttle(Model):
    """Failed attempts per key ("password:user:<name>", "pair:address:<addr>"…), shared by all processes."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    failures = fields.IntField(default=0)
    window_start = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "throttle"


class ThrottleEvent(Model):
    """One failure counted by a sliding-window throttle (an organisation's PIN budget), kept
    while it is inside the window: the window counts these rows, so it is exact to the second."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200)
    at = fields.DatetimeField()

    class Meta:
        table = "throttle_event"
        indexes = (("key", "at"),)
