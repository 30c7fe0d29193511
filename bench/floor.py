"""The floor under the devices page: graphql-core answering it from memory.

The page's document, parsed and validated once (the gateway caches both too),
is executed against a schema built with ``graphql.build_schema`` from the
gateway's exported SDL (schema/schema.graphql), by trivial resolvers over
plain dicts: the rows of the gateway's own answer (devices, configurations,
sessions, users), each relation a dict lookup. No database, no HTTP, no JSON:
what is left is graphql-core's own work for the same query and the same
result, which no gateway built on it can go below. Reported as CPU µs per
execution (``time.process_time``), the median of several batches.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from graphql import build_schema, execute, parse, validate

SDL = Path(__file__).resolve().parents[1] / "schema" / "schema.graphql"


def rows(data: dict) -> dict:
    """The rows behind the gateway's answer to the page, each relation held as a key, as a database holds it."""
    users, configurations, devices = {}, {}, []
    for node in data["devices"]["nodes"]:
        configuration = node["configuration"]
        if configuration is not None:
            configurations.setdefault(configuration["name"], configuration)
        sessions = []
        for session in node["sessions"]["nodes"]:
            user = session["user"]
            users.setdefault(user["username"], user)
            sessions.append({**session, "user": user["username"]})
        devices.append({**node, "configuration": configuration and configuration["name"], "sessions": sessions})
    return {"devices": devices, "configurations": configurations, "users": users}


def _resolvers(schema, store: dict) -> None:
    fields = schema.type_map
    fields["Query"].fields["devices"].resolve = lambda root, info, first=20, **_: {"nodes": store["devices"][:first]}
    fields["Device"].fields["configuration"].resolve = (
        lambda device, info: store["configurations"].get(device["configuration"]))
    fields["Device"].fields["sessions"].resolve = (
        lambda device, info, first=20, **_: {"nodes": device["sessions"][:first]})
    fields["Session"].fields["user"].resolve = lambda session, info: store["users"][session["user"]]
    # Every other field is graphql-core's default resolver reading the dict.


def cpu_us(query: str, data: dict, batches: int = 7, executions: int = 30) -> float:
    """CPU µs per execution of ``query`` answering ``data`` from memory; checks the result is ``data``."""
    schema = build_schema(SDL.read_text())
    _resolvers(schema, rows(data))
    document = parse(query)
    errors = validate(schema, document)
    if errors:
        raise SystemExit(f"bench floor: the page does not validate: {errors}")
    result = execute(schema, document)
    if result.errors or result.data != data:
        raise SystemExit(f"bench floor: not the gateway's answer: {result.errors or 'different data'}")
    samples = []
    for _ in range(batches):
        start = time.process_time()
        for _ in range(executions):
            execute(schema, document)
        samples.append(1e6 * (time.process_time() - start) / executions)
    return round(statistics.median(samples))
