"""/metrics: requests, logins and throttle locks counted, the token that may guard it, the gauges,
and the totals of several worker processes."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.support import make_client, pin_login, pin_ready


def value(text: str, name: str, **labels) -> float:
    """The sample ``name`` with ``labels`` in an exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(key) == wanted for key, wanted in labels.items()):
                return sample.value
    return 0.0


async def scrape(api, token: str | None = None) -> str:
    response = await api.client.get("/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
    assert response.status == 200, await response.text()
    return await response.text()


async def test_a_login_is_counted_by_method_and_outcome(api):
    org, register = await pin_ready(api)
    before = await scrape(api)
    assert (await pin_login(api, "24680", register))["userErrors"] == []
    assert (await pin_login(api, "99999", register))["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    after = await scrape(api)
    for outcome in ("succeeded", "failed"):
        labels = {"method": "PIN", "outcome": outcome}
        assert value(after, "pairgate_logins_total", **labels) == value(before, "pairgate_logins_total", **labels) + 1
    # The two requests, by operation and outcome (a refused login is an answer, not an error).
    labels = {"type": "mutation", "operation": "loginWithPin", "outcome": "ok"}
    assert value(after, "pairgate_requests_total", **labels) == value(before, "pairgate_requests_total", **labels) + 2
    assert (value(after, "pairgate_request_duration_seconds_count", type="mutation", operation="loginWithPin")
            == value(before, "pairgate_request_duration_seconds_count", type="mutation", operation="loginWithPin") + 2)


async def test_a_throttle_lock_is_counted(api):
    org, register = await pin_ready(api)
    before = await scrape(api)
    for _ in range(5):
        await pin_login(api, "99999", register)
    after = await scrape(api)
    assert (value(after, "pairgate_throttle_locks_total", throttle="pin:device")
            == value(before, "pairgate_throttle_locks_total", throttle="pin:device") + 1)


async def test_an_operation_a_client_names_makes_no_new_series(api):
    await api.post("query AnythingAtAll { deviceTypes { key } }")
    await api.client.get("/no/such/path/12345")  # a screen's route (the back office's): labelled by the route
    await api.client.post("/no/such/path/12345")  # no route takes it: "unmatched"
    text = await scrape(api)
    assert "AnythingAtAll" not in text and "12345" not in text
    assert value(text, "pairgate_requests_total", type="http", operation="unmatched", outcome="rejected") >= 1


async def test_live_subscriptions_show(api):
    from tests.graphql.live_client import connect
    from tests.support import new_org

    org = await new_org(api)
    before = value(await scrape(api), "pairgate_live_subscriptions")
    async with connect(api.client, org.token) as live:
        watching = [await live.subscribe("subscription { deviceEvents { type } }") for _ in range(2)]
        await live.silent(watching[-1], 0.3)
        assert value(await scrape(api), "pairgate_live_subscriptions") == before + 2
    for _ in range(50):  # the socket's close reaches the gateway a moment later
        if value(await scrape(api), "pairgate_live_subscriptions") == before:
            break
        await asyncio.sleep(0.1)
    assert value(await scrape(api), "pairgate_live_subscriptions") == before


async def test_the_pool_in_use_is_read_on_postgresql(api, backend):
    await api.post("{ deviceTypes { key } }")
    text = await scrape(api)
    if backend == "postgres":
        assert value(text, "pairgate_db_pool_size") >= 1
        assert value(text, "pairgate_db_pool_in_use") >= 0


async def test_the_metrics_token_guards_the_endpoint(aiohttp_client, settings):
    import dataclasses

    api = await make_client(aiohttp_client, dataclasses.replace(settings, metrics_token="scrape-token-" + "x" * 20))
    assert (await api.client.get("/metrics")).status == 401
    wrong = await api.client.get("/metrics", headers={"Authorization": "Bearer not-it"})
    assert wrong.status == 401 and "pairgate_" not in await wrong.text()
    assert "pairgate_requests_total" in await scrape(api, "scrape-token-" + "x" * 20)


def test_two_workers_report_the_totals_of_both(tmp_path):
    """Each scrape, whichever worker answers it, counts the requests both workers served."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PAIRGATE_", "PROMETHEUS_"))}
    environment.update(PAIRGATE_DATA_DIR=str(tmp_path / "var"), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    subprocess.run([sys.executable, "-m", "gateway.cli", "migrate"], cwd=tmp_path, env=environment, check=True,
                   capture_output=True, timeout=120)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", "2"],
                              cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        served, deadline = 0, time.time() + 60
        while served < 40 and time.time() < deadline:
            request = urllib.request.Request(f"{base}/graphql", data=b'{"query": "{ deviceTypes { key } }"}',
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # a new connection each time
                    served += response.status == 200
            except OSError:
                time.sleep(0.2)  # not listening yet
        assert served == 40
        for _ in range(10):
            with urllib.request.urlopen(f"{base}/graphql?query=%7BdeviceTypes%7Bkey%7D%7D", timeout=5):
                pass
            with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
                text = response.read().decode()
            counted = value(text, "pairgate_requests_total", type="query", operation="deviceTypes", outcome="ok")
            assert counted >= 40, text
        assert list((tmp_path / "tmp").iterdir())  # the workers' metric files live there
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert list((tmp_path / "tmp").iterdir()) == []  # and go with them
