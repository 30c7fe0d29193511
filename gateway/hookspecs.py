"""Every pairgate hook. Plugins implement these with ``@gateway.hookimpl``.

docs/plugins.md documents each one; a test keeps the two in step.
"""

from __future__ import annotations

from gateway.plugin_types import hookspec


@hookspec
def register_device_types():
    """Return an iterable of ``DeviceTypeSpec`` for the device types this plugin adds.

    Called once when the gateway starts. Every key becomes a value of the
    GraphQL ``DeviceType`` enum, so it must be an upper-case GraphQL name and
    must not clash with a key another plugin registered.
    """


@hookspec
def register_override_actions():
    """Return an iterable of ``OverrideActionSpec`` for the actions a manager approves with a PIN.

    Called once when the gateway starts. Every key becomes a value of the
    GraphQL ``OverrideAction`` enum, so it must be an upper-case GraphQL name
    and must not clash with a key another plugin registered; every approver
    role must be ``ADMIN``, ``MANAGER`` or ``STAFF``.
    """


@hookspec(firstresult=True)
def pin_rules(organisation):
    """Return the ``PinRules`` for ``organisation`` (first answer wins).

    Called whenever a PIN is set or generated. The built-in answer is
    ``PinRules(length=5)``; a PIN must then be exactly that many digits.
    """


@hookspec
def validate_pin(pin, organisation):
    """Return a list of problems (strings) with ``pin``, or an empty list.

    Called when an admin sets or generates a PIN, after the length rule held.
    Each problem reaches the client as an ``INVALID`` user error with that
    message.
    """


@hookspec(firstresult=True)
def generate_connection_code():
    """Return a new connection code value (first answer wins).

    Called when a connection code is created. The value is normalised
    (spaces and dashes dropped, upper-cased) before it is stored; the core
    retries with a fresh value when it clashes with a live code.
    """


@hookspec
def on_audit_event(event):
    """Receive an audited event (``gateway.services.audit.AuditEvent``) once it is committed.

    Called after the transaction that recorded the event commits, never for
    one that rolled back, while the request that caused it waits: keep it
    quick and queue slow work. May be a coroutine function. An exception is
    logged and reaches neither the client nor the other plugins.
    """
