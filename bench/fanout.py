"""`make bench-fanout`: one event, delivered by one gateway process to 1, 100 and 1,000 live subscribers.

Each subscriber is a real WebSocket client (graphql-transport-ws) holding one `deviceEvents`
subscription that selects the device, as the device list does, so each reads the device through
its loaders. One `deviceRename` over HTTP publishes RENAMED; per subscriber, the time from just
before the mutation is sent to the event's arrival. The subscribers are added to the same process
(1, then 99 more, then 900 more) and none closes between sizes, so the gateway's RSS with N idle
subscriptions minus its RSS before the first one is what N idle subscriptions hold.

Environment: BENCH_EVENTS (5 measured events per size; medians reported), BENCH_FANOUT_PER_CONNECTION
(subscriptions per WebSocket, 1 by default; at most 20, for a machine short of sockets), and as
bench/run.py for the database (its own one here: pairgate_bench_fanout, dropped at the end).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import resource
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench.run, and the gateway of this checkout (as the servers get it)
os.environ.pop("BENCH_WORKERS", None)  # one gateway process (bench.run reads this): its RSS and CPU are read

from bench.run import PG_SERVER, RESULTS, cpu_seconds, seeded_database, settle, start  # noqa: E402

SIZES = (1, 100, 1000)
EVENTS = int(os.environ.get("BENCH_EVENTS", "5"))
PER_CONNECTION = int(os.environ.get("BENCH_FANOUT_PER_CONNECTION", "1"))
DATABASE = "pairgate_bench_fanout"
WAIT = 60  # seconds an event may take to reach every subscriber before the run fails
OPENING = 50  # sockets opened at once: 1,000 connection_inits together would be a test of the login path
SUBSCRIPTION = "subscription { deviceEvents { type deviceId at device { id name } } }"
RENAME = ("mutation($id: ID!, $name: String!) { deviceRename(input: {id: $id, name: $name}) "
          "{ device { name } userErrors { code } } }")


class Subscribers:
    """The bench's WebSockets to the gateway, and when each event reached each subscription."""

    def __init__(self, http: aiohttp.ClientSession, port: int, token: str) -> None:
        self.http, self.url, self.token = http, f"http://127.0.0.1:{port}/graphql", token
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.readers: list[asyncio.Task] = []
        self.count = 0  # subscriptions
        self.arrivals: list[tuple[float, dict]] = []  # (time.perf_counter() on arrival, message)
        self.all_in = asyncio.Event()

    async def add(self, count: int) -> None:
        sizes = [min(PER_CONNECTION, count - n) for n in range(0, count, PER_CONNECTION)]
        for first in range(0, len(sizes), OPENING):
            await asyncio.gather(*(self._open(size) for size in sizes[first:first + OPENING]))

    async def _open(self, subscriptions: int) -> None:
        socket = await self.http.ws_connect(self.url, protocols=("graphql-transport-ws",))
        await socket.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}})
        ack = await socket.receive_json(timeout=10)
        if ack["type"] != "connection_ack":
            raise SystemExit(f"bench: the gateway refused a subscriber: {ack}")
        for operation in range(1, subscriptions + 1):
            await socket.send_json({"id": str(operation), "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        self.sockets.append(socket)
        self.readers.append(asyncio.create_task(self._read(socket)))
        self.count += subscriptions

    async def _read(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        async for message in socket:
            arrived = time.perf_counter()  # before parsing: the bench's own work comes after
            data = json.loads(message.data)
            if data["type"] == "ping":
                await socket.send_json({"type": "pong"})
                continue
            self.arrivals.append((arrived, data))
            if len(self.arrivals) >= self.count:
                self.all_in.set()

    async def event(self, device_id: str, name: str, pid: int) -> dict:
        """Rename the device once; when the event reached each subscription, from just before sending."""
        self.arrivals.clear()
        self.all_in.clear()
        gateway_cpu, bench_cpu = cpu_seconds(pid), time.process_time()
        sent = time.perf_counter()
        async with self.http.post(self.url, json={"query": RENAME, "variables": {"id": device_id, "name": name}},
                                  headers={"Authorization": f"Bearer {self.token}"}) as response:
            answer = await response.json()
        answered = time.perf_counter()
        if answer.get("errors") or answer["data"]["deviceRename"]["userErrors"]:
            raise SystemExit(f"bench: deviceRename failed: {answer}")
        try:
            await asyncio.wait_for(self.all_in.wait(), WAIT)
        except TimeoutError:
            raise SystemExit(f"bench: {len(self.arrivals)} of {self.count} subscribers had the event after {WAIT} s")
        bench_cpu = time.process_time() - bench_cpu
        for _, data in self.arrivals:  # every one the event, with the device as it is now
            event = data.get("payload", {}).get("data", {}) if data["type"] == "next" else {}
            event = (event or {}).get("deviceEvents") or {}
            if event.get("type") != "RENAMED" or (event.get("device") or {}).get("name") != name:
                raise SystemExit(f"bench: a subscriber got something else than the rename: {data}")
        await asyncio.to_thread(settle, pid)  # the gateway's CPU for this event, all of it
        latencies = sorted(1000 * (arrived - sent) for arrived, _ in self.arrivals)
        figures = {"p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "last_ms": latencies[-1],
                   "first_ms": latencies[0], "mutation_ms": 1000 * (answered - sent),
                   "gateway_cpu_ms": 1000 * (cpu_seconds(pid) - gateway_cpu), "bench_cpu_ms": 1000 * bench_cpu,
                   "rss_kib": rss_kib(pid)}
        return {key: round(value, 2) for key, value in figures.items()}

    async def close(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.sockets))
        for reader in self.readers:
            reader.cancel()


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: a value that was measured (p99 of 100 values is the 99th)."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("bench: no VmRSS for the gateway")


def enough_sockets() -> None:
    """Both ends of every WebSocket are on this machine, the gateway a child of this process:
    raise the soft limit on open files as far as the hard limit allows, and say when it is short."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * math.ceil(max(SIZES) / PER_CONNECTION) + 256
    allowed = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < allowed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (allowed, hard))
    if allowed < needed:
        raise SystemExit(f"bench: {needed} open files needed, {hard} allowed (ulimit -n); "
                         f"try BENCH_FANOUT_PER_CONNECTION=20")


async def measure(port: int, pid: int, token: str) -> tuple[dict, int]:
    # No pool limit: every WebSocket holds its connection for as long as it is open.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        async with http.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ devices(first: 1) { nodes { id } } }"},
                             headers={"Authorization": f"Bearer {token}"}) as response:
            device_id = (await response.json())["data"]["devices"]["nodes"][0]["id"]
        # Warm-up: one subscriber and one event, then closed, so that RSS "with none" already holds
        # what the first subscription and the first event import and cache once per process.
        warm = Subscribers(http, port, token)
        await warm.add(1)
        await warm.event(device_id, "Fan-out warm-up", pid)
        await warm.close()
        await asyncio.to_thread(settle, pid)
        idle_none = rss_kib(pid)
        subscribers = Subscribers(http, port, token)
        sizes = {}
        try:
            for size in SIZES:
                await subscribers.add(size - subscribers.count)
                await asyncio.to_thread(settle, pid)  # the subscribe messages handled: each subscription waits
                # The first event also tells that every subscription is in place: none is acknowledged.
                await subscribers.event(device_id, f"Fan-out {size} warm-up", pid)
                await asyncio.to_thread(settle, pid)
                idle = rss_kib(pid)
                events = [await subscribers.event(device_id, f"Fan-out {size}.{n}", pid) for n in range(EVENTS)]
                sizes[size] = {"subscribers": size, "connections": len(subscribers.sockets), "rss_kib": idle,
                               # one subscription moves RSS by less than its pages and arenas do: from 100 on
                               "kib_per_idle_subscription": round((idle - idle_none) / size, 1) if size >= 100 else None,
                               # what the measured events left behind: it should not grow with each event
                               "rss_kib_growth_over_events": rss_kib(pid) - idle,
                               "median": {key: round(statistics.median(e[key] for e in events), 2) for key in events[0]},
                               "events": events}
                print(f"bench: {size} subscribers done", file=sys.stderr)
        finally:
            await subscribers.close()
    return sizes, idle_none


def drop_database(url: str) -> None:
    if os.environ.get("PAIRGATE_BENCH_DATABASE_URL") or not url.startswith("postgres"):
        return  # not ours to drop (a SQLite file in a temporary folder stays for a look)
    import asyncpg

    async def drop():
        conn = await asyncpg.connect(PG_SERVER + "/postgres", timeout=3)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        finally:
            await conn.close()

    asyncio.run(drop())


def main() -> None:
    enough_sockets()
    url, env, seeded = seeded_database(DATABASE)
    process, port = start("gateway", env)
    try:
        sizes, idle_none = asyncio.run(measure(port, process.pid, seeded["admin_token"]))
    finally:
        process.terminate()
        process.wait(10)
        drop_database(url)
    one, most = sizes[min(SIZES)]["median"], sizes[max(SIZES)]["median"]
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "database": url.split("://", 1)[0],
        "cpus": os.cpu_count(), "events_per_size": EVENTS, "subscriptions_per_connection": PER_CONNECTION,
        "subscription": SUBSCRIPTION, "rss_kib_with_none": idle_none, "sizes": list(sizes.values()),
        # Not the CPU: /proc counts it in clock ticks (10 ms), more than one subscriber's event costs.
        f"{max(SIZES)}_vs_{min(SIZES)}": {key: round(most[key] / one[key], 1) for key in ("p50_ms", "p99_ms", "last_ms")},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for path in (RESULTS / f"{stamp}-fanout-{report['database']}.json", RESULTS / "fanout-latest.json"):
        path.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))


def table(report: dict) -> str:
    rows = [f"One deviceRename, each size's median of {report['events_per_size']} events, {report['database']}, "
            f"one gateway process, {report['subscriptions_per_connection']} subscription(s) per WebSocket, "
            f"{report['date']}", "",
            "| subscribers | sockets | p50 ms | p99 ms | last ms | mutation ms | gateway CPU ms | bench CPU ms "
            "| KiB per idle subscription |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in report["sizes"]:
        m = size["median"]
        per_subscription = "–" if size["kib_per_idle_subscription"] is None else f"{size['kib_per_idle_subscription']:,.1f}"
        rows.append(f"| {size['subscribers']:,} | {size['connections']:,} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} "
                    f"| {m['last_ms']:.1f} | {m['mutation_ms']:.1f} | {m['gateway_cpu_ms']:.1f} "
                    f"| {m['bench_cpu_ms']:.1f} | {per_subscription} |")
    ratios = report[f"{max(SIZES)}_vs_{min(SIZES)}"]
    rows.append("")
    rows.append("RSS growth over each size's events (KiB): " + ", ".join(
        f"{size['subscribers']:,}: {size['rss_kib_growth_over_events']:,}" for size in report["sizes"]))
    rows += [f"{max(SIZES):,} subscribers against {min(SIZES)}: p50 ×{ratios['p50_ms']}, p99 ×{ratios['p99_ms']}, "
                 f"last delivery ×{ratios['last_ms']}"]
    return "\n".join(rows)


if __name__ == "__main__":
    main()
