"""`make bench`: the gateway against a bare aiohttp handler and Strawberry's stock view, side by side.

Every figure is also a ratio to the bare handler measured in the same run (the
machines are shared and noisy: absolute numbers drift, ratios hold). Each
scenario runs three times; the medians are reported.

Environment: PAIRGATE_BENCH_DATABASE_URL (default: PostgreSQL's database
pairgate_bench when postgres://postgres@127.0.0.1:5432 answers, reached over
its Unix socket when there is one, else a SQLite file), BENCH_SECONDS (5), BENCH_CONNECTIONS (16), BENCH_RUNS (3),
BENCH_WORKERS (1).

With one worker, two more figures for the devices page, each a ratio within the run:
the gateway's CPU per request against graphql-core answering the same page from
memory (bench/floor.py), and against the same gateway with authorization passed
through (`gateway-unchecked`, bench/servers.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# A gateway on the database's own host talks to it over the Unix socket, as PostgreSQL's docs
# advise: measured here, ~10 % more PIN logins/s than over TCP loopback (bench/README.md).
PG_SOCKET_DIR = Path("/var/run/postgresql")

DEVICES_PAGE = ("{ devices(first: 100) { nodes { id name status configuration { name } "
                "sessions(first: 5) { nodes { createdAt ipAddress user { username displayName } } } } } }")


PAGE = "100 devices with sessions and users"
UNCHECKED = "100 devices with sessions and users, authorization passed through"
AUTHORIZATION_TARGET = 1.2  # authorization makes the page at most 20 % slower

PIN_LOGIN = {"query": "mutation($p: String!) { loginWithPin(input: {pin: $p}) { token userErrors { code } } }"}


def scenarios(seeded: dict) -> dict[str, tuple[str, dict, dict]]:
    """name -> (server, body, headers)"""
    admin = {"Authorization": f"Bearer {seeded['admin_token']}"}
    return {
        "bare aiohttp (baseline)": ("bare", {"query": "{ __typename }"}, {}),
        "trivial query, stock Strawberry view": ("stock", {"query": "{ __typename }"}, {}),
        "trivial query": ("gateway", {"query": "{ __typename }"}, {}),
        "viewer": ("gateway", {"query": "{ viewer { user { username role } organisation { name } } }"}, admin),
        PAGE: ("gateway", {"query": DEVICES_PAGE}, admin),
        UNCHECKED: ("gateway-unchecked", {"query": DEVICES_PAGE}, admin),
        "loginWithPin": ("gateway", PIN_LOGIN | {"variables": {"p": seeded["pin"]}},
                         {"X-Device-Token": seeded["register_tokens"]}),
        "loginWithPin, one restaurant's 32 registers": ("gateway", PIN_LOGIN | {"variables": {"p": seeded["pin"]}},
                                                        {"X-Device-Token": seeded["one_restaurant_register_tokens"]}),
        "devicePair": ("gateway", {"query": "mutation($c: String!) { devicePair(input: {code: $c}) "
                                             "{ deviceToken userErrors { code } } }", "variables": {"c": seeded["code"]}}, {}),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(name: str = "pairgate_bench") -> str:
    """A new database called ``name`` (PostgreSQL), or the one PAIRGATE_BENCH_DATABASE_URL gives, or SQLite."""
    url = os.environ.get("PAIRGATE_BENCH_DATABASE_URL")
    if url:
        return url
    try:
        import asyncpg

        async def create():
            # A new database every run: each run's logins and pairings add rows (and, with
            # autovacuum off as on this machine, dead ones), so a reused one makes every run
            # slower than the last. Only the bench's own database is dropped.
            conn = await asyncpg.connect(PG_SERVER + "/postgres", timeout=3)
            try:
                await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                await conn.execute(f"CREATE DATABASE {name}")
            finally:
                await conn.close()

        asyncio.run(create())
        if (PG_SOCKET_DIR / ".s.PGSQL.5432").exists():
            return f"postgres://postgres@/{name}?host={PG_SOCKET_DIR}&maxsize=20"
        return f"{PG_SERVER}/{name}?maxsize=20"
    except Exception as exc:  # no PostgreSQL here: the newcomer's laptop
        print(f"bench: PostgreSQL not reachable ({exc!r}); using SQLite", file=sys.stderr)
        return f"sqlite://{tempfile.mkdtemp(prefix='pairgate-bench-')}/bench.sqlite3"


def start(kind: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "servers.py"), kind, str(port)]
    if kind == "gateway" and WORKERS > 1:
        command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", str(WORKERS)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"bench: the {kind} server did not start")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of one process (Linux), to report gateway CPU per request."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid: int | None) -> None:
    """Wait until the server has finished what the last scenario left in flight (wrk stops sending,
    the server goes on answering): otherwise a slow scenario eats into the time of the next."""
    if pid is None or cpu_seconds(pid) is None:
        time.sleep(2)
        return
    deadline = time.time() + 15
    while time.time() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.2)
        if cpu_seconds(pid) - before < 0.01:
            return


def wrk(port: int, body: dict, headers: dict, seconds: int, pid: int | None = None) -> dict:
    lines = ['wrk.method = "POST"', f"wrk.body = [==[{json.dumps(body)}]==]",
             'wrk.headers["Content-Type"] = "application/json"']
    for key, value in headers.items():
        if isinstance(value, list):  # one value per request, in turn
            lines += [f"values = {{{', '.join(f'[==[{v}]==]' for v in value)}}}", "n = 0",
                      "request = function()", "  n = n + 1",
                      f'  wrk.headers["{key}"] = values[(n % #values) + 1]',
                      "  return wrk.format(nil, nil, nil, nil)", "end"]
        else:
            lines.append(f'wrk.headers["{key}"] = [==[{value}]==]')
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    cpu_before = cpu_seconds(pid) if pid else None
    out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script.name,
                          f"http://127.0.0.1:{port}/graphql"], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    if pid:
        settle(pid)  # the requests wrk left in flight are answered all the same: their CPU is counted below
    cpu_after = cpu_seconds(pid) if pid else None
    if "Non-2xx" in out:
        raise SystemExit(f"bench: non-2xx answers:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
               "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
               "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)), "cpu_us": None}
    if cpu_before is not None and cpu_after is not None and requests:
        # The server's own CPU per request: steadier than req/s on a shared machine. wrk stops
        # with a request in flight on each connection, which wrk does not count: a page taking
        # ~40 ms of CPU has ~100 answers in 5 s, so leaving those 16 out would move the figure
        # by up to 16 %, depending on where wrk cut them.
        figures["cpu_us"] = round(1e6 * (cpu_after - cpu_before) / (requests + CONNECTIONS))
    return figures


def _median(values: list) -> float | None:
    return None if None in values else round(statistics.median(values), 3)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def first_values(headers: dict) -> dict:
    """One value per header (a scenario may rotate several, one per request)."""
    return {k: v[0] if isinstance(v, list) else v for k, v in headers.items()}


def require_success(answer: dict, name: str) -> None:
    """A scenario must measure the work it names, not a refusal."""
    if "errors" in answer or '"userErrors":[{' in json.dumps(answer, separators=(",", ":")):
        raise SystemExit(f"bench: {name} does not succeed: {answer}")


def answer(port: int, body: dict, headers: dict) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **first_values(headers)})
    return json.loads(urllib.request.urlopen(request).read())


def check_answers(port: int, body: dict, headers: dict, name: str) -> None:
    require_success(answer(port, body, headers), name)


def seeded_database(name: str = "pairgate_bench") -> tuple[str, dict, dict]:
    """(database URL, environment for the servers, what bench/seed.py seeded)."""
    url = database_url(name)
    env = {**os.environ, "PAIRGATE_DATABASE_URL": url, "PAIRGATE_SECRET_KEY": secrets.token_urlsafe(48),
           "PYTHONPATH": str(ROOT)}
    env.pop("PAIRGATE_QUERY_STATS", None)
    seeded = json.loads(subprocess.run([sys.executable, str(ROOT / "bench" / "seed.py")], env=env, cwd=ROOT,
                                       capture_output=True, text=True, check=True).stdout)
    return url, env, seeded


def main() -> None:
    from bench import floor
    from bench.servers import authorization_present

    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is needed (Debian: apt-get install wrk)")
    url, env, seeded = seeded_database()
    # The devices page's CPU figures need one gateway process to read: with --workers N, no
    # floor and no gateway-unchecked.
    plan = {name: s for name, s in scenarios(seeded).items() if WORKERS == 1 or name != UNCHECKED}
    servers = {kind: start(kind, env) for kind in dict.fromkeys(kind for kind, _, _ in plan.values())}
    # What settle() waits for between scenarios; with --workers N there is no pid to read.
    gateways = [servers[kind][0].pid for kind in ("gateway", "gateway-unchecked") if kind in servers] \
        if WORKERS == 1 else [None]
    runs: list[dict] = []
    pages: list[dict] = []  # the devices page as each run measured it
    floors: list[float] = []
    try:
        for name, (kind, body, headers) in plan.items():
            check_answers(servers[kind][1], body, headers, name)
            wrk(servers[kind][1], body, headers, 1)  # warm-up
        for run in range(RUNS):
            results = {}
            for name, (kind, body, headers) in plan.items():
                process, port = servers[kind]
                # With --workers N the requests are served by child processes: no single pid to read.
                pid = process.pid if kind != "gateway" or WORKERS == 1 else None
                for gateway in gateways:
                    settle(gateway)
                results[name] = wrk(port, body, headers, SECONDS, pid)
                if name == PAGE:  # PIN logins add sessions to its registers as the run goes
                    pages.append(answer(port, body, headers)["data"])
            if WORKERS == 1:  # the floor needs the CPU of one gateway process to compare with
                for gateway in gateways:
                    settle(gateway)
                floors.append(floor.cpu_us(DEVICES_PAGE, pages[-1]))
            baseline = results["bare aiohttp (baseline)"]["rps"]
            for figures in results.values():
                figures["ratio"] = round(figures["rps"] / baseline, 3)
            runs.append(results)
            print(f"bench: run {run + 1}/{RUNS} done", file=sys.stderr)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(10)
    median = {name: {key: _median([r[name][key] for r in runs])
                     for key in ("rps", "ratio", "p50_ms", "p99_ms", "cpu_us")} for name in runs[0]}
    trivial = median["trivial query"]["rps"]
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": url.split("://", 1)[0], "workers": WORKERS, "connections": CONNECTIONS, "seconds": SECONDS,
        "cpus": os.cpu_count(), "median": median, "runs": runs,
        "loginWithPin_vs_trivial": round(median["loginWithPin"]["rps"] / trivial, 3),
    }
    if WORKERS == 1 and None not in [run[name]["cpu_us"] for run in runs for name in (PAGE, UNCHECKED)]:
        report["devices_page"] = devices_page(runs, floors, pages[-1], authorization_present())
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for path in (RESULTS / f"{stamp}-{report['database']}-w{WORKERS}.json", RESULTS / "latest.json"):
        path.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))


def devices_page(runs: list[dict], floors: list[float], page: dict, authorization: bool) -> dict:
    """The page's CPU per request against the floor and against gateway-unchecked, each a median of per-run ratios."""
    nodes = page["devices"]["nodes"]
    return {
        "devices": len(nodes), "sessions": sum(len(node["sessions"]) for node in nodes),
        "gateway_cpu_us": _median([run[PAGE]["cpu_us"] for run in runs]),
        "floor_cpu_us": _median(floors),
        "vs_floor": _median([run[PAGE]["cpu_us"] / floor for run, floor in zip(runs, floors)]),
        "authorization": "present" if authorization else "not present",
        "unchecked_cpu_us": _median([run[UNCHECKED]["cpu_us"] for run in runs]),
        # Without authorization both servers run the same code: then this is the comparison's noise.
        "checked_vs_unchecked": _median([run[PAGE]["cpu_us"] / run[UNCHECKED]["cpu_us"] for run in runs]),
        "checked_vs_unchecked_target": AUTHORIZATION_TARGET,
    }


def table(report: dict) -> str:
    rows = [f"Median of {len(report['runs'])} runs, {report['database']}, {report['workers']} worker(s), "
            f"wrk -t1 -c{report['connections']} -d{report['seconds']}s, {report['date']}", "",
            "| scenario | req/s | × bare aiohttp | p50 ms | p99 ms | server CPU µs/request |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, m in report["median"].items():
        cpu = "–" if m.get("cpu_us") is None else f"{m['cpu_us']:,.0f}"
        rows.append(f"| {name} | {m['rps']:,.0f} | {m['ratio']:.2f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {cpu} |")
    rows.append("")
    rows.append(f"loginWithPin / trivial query: {report['loginWithPin_vs_trivial']:.3f}")
    page = report.get("devices_page")
    if page:
        rows.append(f"{PAGE} ({page['devices']} devices, {page['sessions']} sessions): gateway "
                    f"{page['gateway_cpu_us']:,.0f} µs CPU/request, graphql-core from memory {page['floor_cpu_us']:,.0f} "
                    f"µs/execution (bench/floor.py): {page['vs_floor']:.2f}× the floor")
        if page["authorization"] == "present":
            verdict = "within" if page["checked_vs_unchecked"] <= page["checked_vs_unchecked_target"] else "over"
            rows.append(f"authorization: checked / unchecked CPU per request {page['checked_vs_unchecked']:.2f} "
                        f"({verdict} the target of {page['checked_vs_unchecked_target']:.2f})")
        else:
            rows.append(f"authorization not present (gateway-unchecked is the same gateway: "
                        f"{page['checked_vs_unchecked']:.2f} is this comparison's noise)")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # bench.floor, and the gateway of this checkout (as the servers get it)
    main()
