"""The per-request context: who is asking, from where, and the request's loaders."""

from __future__ import annotations

import asyncio
import ipaddress
from functools import cached_property

from aiohttp import web

from gateway.graphql.access import ANONYMOUS, Reader
from gateway.graphql.loaders import Loaders
from gateway.models import Device
from gateway.services import audit, auth, devices, live
from gateway.services.actor import Actor, Client
from gateway.services.runtime import Runtime


class Context:
    def __init__(self, request: web.Request, runtime: Runtime, response: web.StreamResponse | None = None) -> None:
        self.request = request
        self.response = response
        self.runtime = runtime
        self.loaders = Loaders()
        audit.bind_plugins(runtime.plugins)
        live.bind(runtime.bus)
        self._actor: asyncio.Future[Actor] | None = None
        self._device: asyncio.Future[Device | None] | None = None
        # Whose eyes the answer is read with (access.py): the request's session once it is
        # looked up; a login or a pairing in this request hands its payload to the new one.
        self.reader: Reader = ANONYMOUS
        # A WebSocket's credentials come in its connection_init payload (Strawberry sets this),
        # and only there: a browser cannot send headers with one, so none are read.
        self.is_socket = isinstance(response, web.WebSocketResponse)
        self.connection_params: dict | None = None
        self.initialised = False  # a socket's connection_init was accepted (once: websocket.py)

    @cached_property
    def client(self) -> Client:
        request = self.request
        return Client(
            ip_address=client_ip(request, self.runtime.settings.trusted_proxies),
            user_agent=_text(request.headers.get("User-Agent", "")),
            device_token=_token(self._credential("deviceToken", "X-Device-Token")),
            app_version=app_version(request.headers.get("X-App-Version")),
        )

    def _credential(self, parameter: str, header: str) -> str | None:
        """A credential: a socket's from its connection_init payload alone, a request's from its header."""
        if self.is_socket:
            value = (self.connection_params or {}).get(parameter)
            return value if isinstance(value, str) else None
        return self.request.headers.get(header)

    async def device(self) -> Device | None:
        """The device of the request's token (any organisation's), looked up once; the lookup
        records that the device was seen, and its app version."""
        if self._device is None:
            self._device = asyncio.ensure_future(self._find_device())
        return await self._device

    async def _find_device(self) -> Device | None:
        device = await devices.by_token(self.client.device_token)
        if device is not None:
            await devices.seen(device, self.client.app_version)
        return device

    async def actor(self) -> Actor:
        """Authenticated lazily (a query that needs no viewer costs no lookup) and once:
        sibling root fields resolve concurrently and share the one lookup."""
        if self._actor is None:
            self._actor = asyncio.ensure_future(self._authenticate())
        return await self._actor

    @cached_property
    def has_bearer(self) -> bool:
        """The request carries a session token (which may turn out to be locked, or nobody's)."""
        return self._bearer() is not None

    def _bearer(self) -> str | None:
        scheme, _, token = (self._credential("authorization", "Authorization") or "").partition(" ")
        return _token(token) if scheme.lower() == "bearer" else None

    async def _authenticate(self) -> Actor:
        session = await auth.authenticate(self._bearer())
        device = await self.device()
        if session is not None and device is not None and device.organisation_id != session.organisation_id:
            device = None  # another organisation's device is no device here: never named in this one's audit log
        if session is not None and session.locked_at is not None:
            # Locked at its register: nobody, until a PIN typed there unlocks it (services/lock_screen.py).
            actor = Actor(client=self.client, device=device, locked_session=session)
        else:
            actor = Actor(client=self.client, session=session, user=session.user if session else None, device=device)
        self.reader = Reader.of(actor)
        if actor.user is None and self.is_socket and device is not None:
            # A register's live connection with no session of its own (or a locked one) reads
            # its device's events as the device: what a device that has just paired reads.
            self.reader = Reader.of_device(device)
        return actor

    async def session_id(self) -> int | None:
        """The id of the request's session, live or locked, when it has one."""
        actor = await self.actor()
        session = actor.session or actor.locked_session
        return session.id if session else None

    def forget_actor(self) -> None:
        """A WebSocket's session (or device) may have ended, locked or been revoked since it was
        looked up: the next ``actor()`` looks both up afresh, and reads with the eyes it then finds."""
        self._actor = None
        self._device = None

    def new_operation(self) -> None:
        """Each operation on a socket starts as a request does: its credentials looked up afresh,
        nothing cached from the operations before."""
        self.forget_actor()
        self.loaders = Loaders()

    def session_locked(self) -> None:
        """The request has just locked its own session: what it does after this, it does locked.
        Its reader stays as it was, so the lock's own payload still reads the session it locked."""
        actor = self._actor.result()
        locked = Actor(client=actor.client, device=actor.device, locked_session=actor.session)
        self._actor = asyncio.get_running_loop().create_future()
        self._actor.set_result(locked)


def _token(value: str | None) -> str | None:
    """A token as sent, or None. Tokens are ASCII: anything else (aiohttp hands on bytes that are
    not UTF-8 as lone surrogates) is no token, rather than an error further down."""
    value = (value or "").strip()
    return value if value and value.isascii() else None


def _text(value: str) -> str:
    """Header text as the database can store it: bytes that were not UTF-8 become U+FFFD, NUL goes."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\x00", "")


APP_VERSION_MAX = 64  # the column's length


def app_version(value: str | None) -> str | None:
    """The X-App-Version header as it is stored: its printable characters, trimmed, at most 64;
    None when absent or empty. Bytes that are not UTF-8 (handed on by aiohttp as lone
    surrogates) make it no header at all: they are no version anyone wrote."""
    if value is None or not _utf8(value):
        return None
    printable = "".join(character for character in value if character.isprintable())
    return printable.strip()[:APP_VERSION_MAX].strip() or None


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def client_ip(request: web.Request, trusted_proxies) -> str | None:
    """The peer, or the first untrusted address in X-Forwarded-For when the peer is a trusted proxy."""
    peer = request.remote
    if not peer or not trusted_proxies:
        return peer

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted_proxies)

    if not trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return hops[0] if hops else peer
