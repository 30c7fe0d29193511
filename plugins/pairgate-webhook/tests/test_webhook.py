import asyncio
import hmac
import json
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiohttp import web

from gateway.services.audit import AuditEvent
from gateway.testing import make_client, migrated_sqlite, plugin_manager
from pairgate_webhook import SIGNATURE_HEADER, Webhook, sign

SECRET = "s3cret"


def test_the_entry_point_names_the_plugin_object():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pairgate"] == {"webhook": "pairgate_webhook:plugin"}


class Receiver:
    """A real HTTP endpoint that fails the first ``failures`` deliveries with 500."""

    def __init__(self, failures: int = 0, hold: asyncio.Event | None = None):
        self.failures, self.hold = failures, hold
        self.received: list[tuple[dict, dict]] = []
        self.attempts = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.hold is not None:
            await self.hold.wait()
        body = await request.read()
        if not hmac.compare_digest(request.headers[SIGNATURE_HEADER], sign(SECRET.encode(), body)):
            return web.Response(status=401)
        if self.failures:
            self.failures -= 1
            return web.Response(status=500)
        self.received.append((dict(request.headers), json.loads(body)))
        return web.Response(status=204)


@pytest.fixture
async def receiver_url(aiohttp_server):
    async def start(receiver: Receiver) -> str:
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        server = await aiohttp_server(app)
        return str(server.make_url("/hook"))

    return start


def event(n: int, kind: str = "code.created") -> AuditEvent:
    return AuditEvent(id=n, type=kind, organisation_id=1, actor_user_id=2, device_id=None, ip_address="127.0.0.1",
                      data={"code_id": n}, created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


async def test_events_arrive_signed_in_order_after_retries(receiver_url):
    receiver = Receiver(failures=2)
    hook = Webhook(await receiver_url(receiver), SECRET, backoff_seconds=0.01)
    for n in (1, 2, 3):
        await hook.on_audit_event(event(n))
    await hook.drain()
    await hook.close()
    assert [body["data"]["code_id"] for _, body in receiver.received] == [1, 2, 3]
    headers, body = receiver.received[0]
    assert headers["X-Pairgate-Event"] == "code.created" and headers["X-Pairgate-Delivery"] == "1"
    assert body["type"] == "code.created" and body["organisationId"] and body["deviceId"] is None
    assert receiver.attempts == 5 and hook.delivered == 3 and hook.failed == 0


async def test_gives_up_after_its_attempts_and_on_a_refusal(receiver_url):
    receiver = Receiver(failures=10)
    hook = Webhook(await receiver_url(receiver), SECRET, attempts=3, backoff_seconds=0.01)
    await hook.on_audit_event(event(1))
    await hook.drain()
    assert (hook.failed, receiver.attempts) == (1, 3)
    wrong_secret = Webhook(hook.url, "not the secret", backoff_seconds=0.01)
    await wrong_secret.on_audit_event(event(2))
    await wrong_secret.drain()
    assert wrong_secret.failed == 1 and receiver.attempts == 4  # a 401 is not retried
    await hook.close()
    await wrong_secret.close()


async def test_the_queue_is_bounded(receiver_url):
    hold = asyncio.Event()
    receiver = Receiver(hold=hold)
    hook = Webhook(await receiver_url(receiver), SECRET, queue_size=2)
    await hook.on_audit_event(event(0))
    for _ in range(500):  # wait until the first delivery is held at the receiver
        if receiver.attempts:
            break
        await asyncio.sleep(0.01)
    for n in range(1, 6):
        await hook.on_audit_event(event(n))
    assert hook.dropped == 3  # two fit in the queue behind the held one
    hold.set()
    await hook.drain()
    await hook.close()
    assert [body["data"]["code_id"] for _, body in receiver.received] == [0, 1, 2]


async def test_without_a_url_it_does_nothing():
    hook = Webhook(url="", secret="")
    await hook.on_audit_event(event(1))
    assert hook._worker is None


async def test_gateway_events_reach_the_receiver(aiohttp_client, receiver_url, tmp_path):
    from gateway.services import organisations

    receiver = Receiver()
    hook = Webhook(await receiver_url(receiver), SECRET)
    api = await make_client(aiohttp_client, await migrated_sqlite(tmp_path), plugin_manager(hook))
    await organisations.create_organisation("Diner", "chef", "long enough password")
    await api.data('mutation { loginWithPassword(input: {username: "chef", password: "wrong password"}) { token } }')
    login = await api.data('mutation { loginWithPassword(input: {username: "chef", password: "long enough password"}) { token } }')
    await api.data('mutation { configurationCreate(input: {name: "Bar"}) { configuration { id } } }',
                   token=login["loginWithPassword"]["token"])
    await hook.drain()
    await hook.close()
    assert [body["type"] for _, body in receiver.received] == ["login.failed", "login.succeeded", "configuration.created"]
