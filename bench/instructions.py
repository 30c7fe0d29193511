"""`make bench-instructions`: CPU instructions per request, counted by valgrind's callgrind.

Requests per second move by half on a shared VM within the hour; instruction
counts do not (the same code, inputs and interpreter give the same count, to
within a percent, whatever else runs). So a change to the gateway's own CPU cost
is judged here, and `make bench` says what it does to throughput.

Each scenario runs in its own process under callgrind with instrumentation off:
the app is built in-process (no HTTP: aiohttp's share is the same for every
request), the request is answered 50 times to warm caches, start-up objects are
frozen out of the cycle collector as `pairgate serve` does, then counting runs
for N requests. Reported: instructions per request and the ratio to the trivial
query. Needs valgrind (Debian: apt-get install valgrind) and the database that
`make bench` uses.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_REQUESTS", "300"))
SCENARIOS = ("trivial query", "viewer", "loginWithPin")


def child(scenario: str, seeded_path: str) -> None:
    """Runs under callgrind: warm up, count N requests, stop counting."""
    import asyncio

    from aiohttp.test_utils import make_mocked_request
    from multidict import CIMultiDict

    from bench.run import first_values, require_success, scenarios
    from gateway import db
    from gateway.app import create_app
    from gateway.cli import freeze_startup_objects
    from gateway.graphql.http import GraphQLHandler
    from gateway.settings import Settings

    seeded = json.loads(Path(seeded_path).read_text())
    _, body, headers = scenarios(seeded)[scenario]
    headers = first_values(headers)

    async def run() -> None:
        settings = Settings.from_env()
        ctx = await db.open_database(settings)
        app = create_app(settings)
        [handler] = [route.handler.__self__ for route in app.router.routes()
                     if isinstance(getattr(route.handler, "__self__", None), GraphQLHandler)]
        request = make_mocked_request("POST", "/graphql", headers=CIMultiDict(
            {"Content-Type": "application/json", "User-Agent": "bench", **headers}))
        for _ in range(50):
            answer = await handler.run(request, body)
        require_success(json.loads(answer.body), scenario)
        await freeze_startup_objects(app)
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
        for _ in range(N):
            await handler.run(request, body)
        subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)
        await db.close_database(ctx)

    asyncio.run(run())


def count(scenario: str, seeded_path: str, env: dict) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                        sys.executable, __file__, "--child", scenario, seeded_path],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        return int(re.search(r"^totals:\s+(\d+)", out.read_text(), re.M).group(1)) // N


def main() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("bench: valgrind is needed (Debian: apt-get install valgrind)")
    from bench.run import seeded_database

    url, env, seeded = seeded_database()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(seeded, f)
    try:
        counts = {scenario: count(scenario, f.name, env) for scenario in SCENARIOS}
    finally:
        os.unlink(f.name)
    print(f"Instructions per request (callgrind, in-process, {N} requests, {url.split('://')[0]})\n")
    print("| scenario | instructions | × trivial query |\n| --- | ---: | ---: |")
    for scenario, n in counts.items():
        print(f"| {scenario} | {n:,} | {n / counts['trivial query']:.2f} |")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
