"""Live events on their way to subscribers: the bus of this gateway process.

Services publish after commit (``gateway.services.live``); the bus carries each
event to every gateway process, and each process's hub hands it to the
subscriptions it holds. On PostgreSQL events travel through ``LISTEN/NOTIFY``
(postgres.py), so a pairing made on one process reaches a QR screen held by
another; on SQLite, one process, the bus is the hub itself (memory.py).
"""

from __future__ import annotations

from gateway.events.hub import Hub, Subscriber
from gateway.events.memory import InProcessBus
from gateway.events.postgres import PostgresBus
from gateway import db
from gateway.settings import Settings

Bus = InProcessBus | PostgresBus

__all__ = ["Bus", "Hub", "InProcessBus", "PostgresBus", "Subscriber", "bus_for"]


def bus_for(settings: Settings) -> Bus:
    if settings.is_sqlite:
        return InProcessBus()
    return PostgresBus(settings.database_url, db.connection_name(settings))
