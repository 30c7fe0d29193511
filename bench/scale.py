"""`make bench-scale`: is a page of devices or sessions as cheap at 1M rows as at 1k? (PostgreSQL)

Seeds two databases with COPY — small: 1 organisation, 1,000 devices, 5,000
sessions; large: 1,000 organisations, 1,000,000 devices, 5,000,000 sessions —
where the measured organisation looks the same (1,000 devices, 5 sessions
each). Then it drives the same pages against a gateway on each, first pages
and deep pages (keyset cursors), and records EXPLAIN ANALYZE of the queries.

Environment: PAIRGATE_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432),
BENCH_SECONDS (5), BENCH_RUNS (3).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import RESULTS, free_port, wrk  # noqa: E402
from gateway import db  # noqa: E402
from gateway.graphql import ids  # noqa: E402
from gateway.settings import Settings  # noqa: E402

SERVER = os.environ.get("PAIRGATE_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
DEVICES_PER_ORG = 1000
SESSIONS_PER_DEVICE = 5
SIZES = {"1k": 1, "1M": 1000}  # organisations


def _hash(kind: str, n: int) -> str:
    return hashlib.sha256(f"{kind}{n}".encode()).hexdigest()


async def seed(database: str, organisations: int) -> dict:
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f"DROP DATABASE IF EXISTS {database}")
    await admin.execute(f"CREATE DATABASE {database}")
    await admin.close()
    url = f"{SERVER}/{database}"
    await db.migrate(Settings.from_env({}, database_url=url, secret_key="x" * 40))
    conn = await asyncpg.connect(url)
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    try:
        await conn.copy_records_to_table(
            "organisation", columns=["name", "pin_login_enabled", "session_idle_minutes", "session_max_hours", "created_at"],
            records=((f"Org {o}", True, 1440, 12, now) for o in range(1, organisations + 1)))
        await conn.copy_records_to_table(
            "app_user", columns=["organisation_id", "username", "display_name", "role", "login_method", "created_at"],
            records=((o, f"admin{o}", f"Admin {o}", "ADMIN", "PASSWORD", now) for o in range(1, organisations + 1)))
        devices = organisations * DEVICES_PER_ORG
        await conn.copy_records_to_table(
            "device", columns=["organisation_id", "name", "device_type", "state", "token_hash", "approval_suppressed",
                               "created_at", "approved_at"],
            records=((1 + (d - 1) // DEVICES_PER_ORG, f"Till {d}", "POS", "APPROVED", _hash("d", d), False, now, now)
                     for d in range(1, devices + 1)))
        await conn.copy_records_to_table(
            "session", columns=["organisation_id", "user_id", "device_id", "method", "token_hash", "ip_address",
                                "user_agent", "created_at", "last_seen_at", "expires_at"],
            records=((1 + (d - 1) // DEVICES_PER_ORG, 1 + (d - 1) // DEVICES_PER_ORG, d, "PIN",
                      _hash("s", d * SESSIONS_PER_DEVICE + k), "10.0.0.1", "bench", now, now, now)
                     for d in range(1, devices + 1) for k in range(SESSIONS_PER_DEVICE)))
        # The measured organisation's admin gets a live session with a known token.
        token = secrets.token_urlsafe(32)
        await conn.execute(
            "INSERT INTO session (organisation_id, user_id, method, token_hash, user_agent, created_at, last_seen_at, "
            "expires_at) VALUES (1, 1, 'PASSWORD', $1, '', $2, $2, $3)",
            hashlib.sha256(token.encode()).hexdigest(), now, now + timedelta(hours=12))
        await conn.execute("ANALYZE")
        counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in ("organisation", "device", "session")}
        deep_device = await conn.fetchval("SELECT id FROM device WHERE organisation_id = 1 ORDER BY id OFFSET 899 LIMIT 1")
        deep_session = await conn.fetchval("SELECT id FROM session WHERE organisation_id = 1 ORDER BY id OFFSET 4899 LIMIT 1")
        plans = {
            "devices page": await _explain(conn, "SELECT * FROM device WHERE organisation_id = 1 AND state IN "
                                                  "('APPROVED', 'REVOKED') AND id > $1 ORDER BY id LIMIT 101", deep_device),
            "sessions page": await _explain(conn, "SELECT * FROM session WHERE organisation_id = 1 AND id > $1 "
                                                   "ORDER BY id LIMIT 101", deep_session),
        }
    finally:
        await conn.close()
    return {"url": url, "token": token, "counts": counts, "seed_seconds": round(time.perf_counter() - started, 1),
            "deep_device_cursor": ids.cursor(deep_device), "deep_session_cursor": ids.cursor(deep_session),
            "plans": plans}


async def _explain(conn, sql: str, *args) -> list[str]:
    return [row[0] for row in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, *args)]


def pages(seeded: dict) -> dict[str, dict]:
    return {
        "devices, first page": {"query": "{ devices(first: 100) { nodes { id name status } pageInfo { endCursor } } }"},
        "devices, deep page": {"query": "query($a: String) { devices(first: 100, after: $a) { nodes { id name } } }",
                               "variables": {"a": seeded["deep_device_cursor"]}},
        "sessions, first page": {"query": "{ sessions(first: 100) { nodes { id ipAddress createdAt } } }"},
        "sessions, deep page": {"query": "query($a: String) { sessions(first: 100, after: $a) { nodes { id } } }",
                                "variables": {"a": seeded["deep_session_cursor"]}},
    }


def main() -> None:
    import subprocess
    import urllib.request

    root = Path(__file__).resolve().parents[1]
    report: dict = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "sizes": {}}
    for label, organisations in SIZES.items():
        print(f"bench-scale: seeding {label} ({organisations} organisations)…", file=sys.stderr, flush=True)
        seeded = asyncio.run(seed(f"pairgate_scale_{label.lower()}", organisations))
        print(f"bench-scale: {seeded['counts']} in {seeded['seed_seconds']} s", file=sys.stderr, flush=True)
        port = free_port()
        env = {**os.environ, "PAIRGATE_DATABASE_URL": seeded["url"], "PAIRGATE_SECRET_KEY": "x" * 40,
               "PYTHONPATH": str(root)}
        server = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)], env=env,
                                  cwd=root, stdout=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            headers = {"Authorization": f"Bearer {seeded['token']}"}
            figures = {}
            for name, body in pages(seeded).items():
                wrk(port, body, headers, 1)
                runs = [wrk(port, body, headers, SECONDS) for _ in range(RUNS)]
                figures[name] = {key: round(statistics.median(r[key] for r in runs), 3) for key in ("rps", "p50_ms", "p99_ms")}
        finally:
            server.terminate()
            server.wait(10)
        report["sizes"][label] = {"counts": seeded["counts"], "seed_seconds": seeded["seed_seconds"],
                                  "pages": figures, "plans": seeded["plans"]}
    small, large = report["sizes"]["1k"]["pages"], report["sizes"]["1M"]["pages"]
    report["p50_ratio_1M_to_1k"] = {name: round(large[name]["p50_ms"] / small[name]["p50_ms"], 2) for name in small}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    rows = ["| page | p50 ms at 1k devices | p50 ms at 1M devices | 1M / 1k |", "| --- | ---: | ---: | ---: |"]
    for name in small:
        rows.append(f"| {name} | {small[name]['p50_ms']:.2f} | {large[name]['p50_ms']:.2f} | "
                    f"{report['p50_ratio_1M_to_1k'][name]:.2f} |")
    print("\n".join(rows))
    print("\nEXPLAIN ANALYZE at 1M (devices page):\n  " + "\n  ".join(report["sizes"]["1M"]["plans"]["devices page"]))
    print("\nEXPLAIN ANALYZE at 1M (sessions page):\n  " + "\n  ".join(report["sizes"]["1M"]["plans"]["sessions page"]))


if __name__ == "__main__":
    main()
