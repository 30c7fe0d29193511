"""Fuzzing: generated queries and mutations, sent to the real app, must never crash it.

hypothesis-graphql writes documents valid for the schema the app serves (built from its
runtime, as `pairgate export-schema` prints it), so a field added tomorrow is fuzzed too;
every root field, query or mutation, gets documents of its own. Their values travel as
JSON variables, as clients send them: IDs name real rows of two organisations (the
callers' own and another), strings are ordinary text or values the seeding made (cursors,
the connection codes, the PIN), numbers are small. Then one value of each document turns
hostile (one only: the refusal of one would hide what a second does): text no database
can store (NUL, a lone surrogate), text just longer than a column, odd text, an ID or a
cursor that is malformed or whose key no row has (past 64 bits, say), a number out of range.

Each document goes over HTTP as one of three callers, a register before anyone logs in,
a STAFF member and an ADMIN. Any answer short of a crash is fine (validation refusals,
user errors, FORBIDDEN, THROTTLED once the fuzzer has spent the PIN or password budgets):
the test fails on a 5xx, an INTERNAL_SERVER_ERROR or a traceback in a body, and lists
every case that did. The same documents come on every run: fixed seeds, no example
database, no shrinking.

Size: PER_FIELD documents per root field and caller, 540 cases per database with today's
32 root fields (180 per caller; a field with few distinct documents gives fewer). On the
2-core development machine it took about 10 s on SQLite and 11 s on PostgreSQL when quiet,
and up to 30 s on each while other test suites shared the machine.

hypothesis-graphql rather than Schemathesis (which is built on it): its strategies plug into
plain Hypothesis, so the cases go through the aiohttp test client, on both databases, while
Schemathesis wants to make the HTTP calls itself, to a served URL or a WSGI/ASGI app.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import timedelta

import graphql
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gql

from gateway.app import RUNTIME
from gateway.graphql import ids
from gateway.graphql.schema import build_schema
from gateway.models import (
    AuditLog, AuthMethod, Configuration, ConnectionCode, Device, Organisation, Role, Session, User,
)
from gateway.services.clock import utcnow
from gateway.services.tokens import hash_token, new_token
from tests.support import (
    PASSWORD, add_pin_user, add_user, approved_register, code, configuration, enable_pins, in_days, new_org, pair,
    pin_login,
)

PER_FIELD = 6  # documents per root field and caller
SEED = 0  # the suite's documents; another value explores others (run it locally, with more PER_FIELD)
PIN = "24680"


# --- values ---------------------------------------------------------------------

def _raw_id(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


UNSTORABLE = st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfffy", "\udc80" * 3])
# Just past the columns' lengths (45, 64, 150, 200, 400 characters), and far past them;
# "İ" doubles in length when lowered.
OVERLONG = st.builds(lambda char, length: char * length, st.sampled_from("xéİ"),
                     st.sampled_from([46, 65, 151, 201, 401, 10_000]))
MALFORMED_IDS = st.sampled_from([
    _raw_id("Device"), _raw_id("Device:1\x00"), _raw_id("Device:1.5"), _raw_id(b"\xff\xfe:1"),
    _raw_id("cursor:abc"), _raw_id("cursor:"), "!!not base64!!", "RGV2aWNlOjE=====",
])
# Storable but odd: blank, invisible, digits that are not ASCII, a PIN too long, an emoji.
ODD = st.sampled_from(["", " ", "\t\n", "\u200b", "٢٤٦٨٠", "0" * 33, "💳"])
# What one text value of each document becomes: text that cannot be stored, text just too
# long for a column, an ID or cursor that is not ours, or odd text.
HOSTILE = st.one_of(UNSTORABLE, OVERLONG, MALFORMED_IDS, ODD)


DATETIMES = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat() + "+00:00"),
    st.sampled_from([in_days(1), in_days(400), "2030-01-01T00:00:00", "2030-02-30T00:00:00+00:00", "tomorrow",
                     "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "2030-01-01T00:00:00-23:59"]),
)
# Numbers the resolvers must bound themselves (first, scale, minutes), and two beyond 32 bits,
# which GraphQL's Int refuses (huge numbers reach the gateway inside IDs and cursors).
HOSTILE_INTS = st.sampled_from([-1, 101, 10_000, -(2**31), 2**31 - 1, 2**53, 2**63])
# Keys no row has: zero, negative, just past 64 bits, far past them.
BAD_KEYS = st.sampled_from([0, -1, 2**63, 99999999999999999999999])


def hostile(value: str | int) -> st.SearchStrategy[str | int]:
    """What ``value`` may turn into; an ID or a cursor may also keep its type with a key no row has."""
    if isinstance(value, int):
        return HOSTILE_INTS
    decoded = ids.decode_any(value)
    if decoded is None:
        return HOSTILE
    return st.builds(ids.encode, st.just(decoded[0]), BAD_KEYS) | HOSTILE


# --- documents --------------------------------------------------------------------

def as_variables(schema: graphql.GraphQLSchema, document: graphql.DocumentNode) -> tuple[str, dict]:
    """The document with every string and integer literal moved into a variable of its argument's type.

    Clients send values as JSON variables, and only JSON can carry a lone surrogate:
    GraphQL's own syntax refuses one before any resolver runs.
    """
    type_info = graphql.TypeInfo(schema)
    variables: dict[str, str | int] = {}
    definitions = []

    def lift(value: str | int) -> graphql.VariableNode:
        name = f"v{len(variables)}"
        variables[name] = value
        variable = graphql.VariableNode(name=graphql.NameNode(value=name))
        type_node = graphql.parse_type(str(type_info.get_input_type()))
        definitions.append(graphql.VariableDefinitionNode(variable=variable, type=type_node))
        return variable

    class Lift(graphql.Visitor):
        def enter_string_value(self, node, *_):
            return lift(node.value)

        def enter_int_value(self, node, *_):
            return lift(int(node.value))

        def leave_operation_definition(self, node, *_):
            return dataclasses.replace(node, variable_definitions=tuple(definitions))

    lifted = graphql.visit(document, graphql.TypeInfoVisitor(type_info, Lift()))
    return graphql.print_ast(lifted), variables


def draw_cases(sdl: str, seeded: dict[str, st.SearchStrategy[str]], count: int) -> list[tuple[str, dict]]:
    """``count`` documents (with their variables) for each root field, the same on every run.

    Drawn up front by plain, synchronous Hypothesis tests, since @given does not drive
    async tests; no shrinking and no example database: a failure names its case instead.
    """
    schema = graphql.build_schema(sdl)
    scalars = {name: values.map(nodes.String) for name, values in seeded.items()}
    scalars |= {"DateTime": DATETIMES.map(nodes.String), "Int": st.integers(0, 100).map(nodes.Int)}
    keep = {"custom_scalars": scalars, "print_ast": lambda document: document}  # as_variables prints it
    strategies = [gql.queries(schema, fields=[name], **keep) for name in schema.query_type.fields]
    strategies += [gql.mutations(schema, fields=[name], **keep) for name in schema.mutation_type.fields]
    cases: list[tuple[str, dict]] = []
    for number, documents in enumerate(strategies):
        @seed(SEED * 1000 + number)
        @settings(max_examples=count, database=None, phases=[Phase.generate], deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(documents, st.data())
        def collect(document, data):
            query, variables = as_variables(schema, document)
            if variables:  # one value turns hostile: were two, the refusal of one would hide the other
                target = data.draw(st.sampled_from(sorted(variables)))
                variables[target] = data.draw(hostile(variables[target]))
            cases.append((query, variables))

        collect()
    return cases


# --- the organisation and its callers -------------------------------------------------

@dataclasses.dataclass
class Caller:
    name: str
    headers: dict[str, str]
    user: User | None = None  # whose session the caller holds, if any


async def fresh_session(user: User) -> str:
    """A new session's token, written directly: a login could be throttled by now."""
    token, now = new_token(), utcnow()
    await Session.create(organisation_id=user.organisation_id, user=user, method=AuthMethod.PASSWORD,
                         token_hash=hash_token(token), last_seen_at=now, expires_at=now + timedelta(hours=1))
    return token


async def seed_organisation(api) -> tuple[dict[str, st.SearchStrategy[str]], list[Caller]]:
    """An organisation with rows of every kind, and another whose rows the callers must not
    reach; what ID and String arguments get (real IDs; text, cursors, the codes, the PIN, a
    name), and the callers."""
    org = await new_org(api)
    await enable_pins(api, org)
    first = await configuration(api, org)
    await configuration(api, org, "Terrace")
    multi = await code(api, org, first)
    single = await code(api, org, first, singleUse=True, deviceType="CUSTOMER_DISPLAY")
    await pair(api, multi["code"], "Kitchen")
    await add_pin_user(api, org, "sam", PIN)
    staff = await add_user(org, "stella", Role.STAFF)
    register = await approved_register(api, org)
    await pin_login(api, PIN, register)  # a PIN session on the register
    other = await new_org(api, "Other", "other-admin")
    await configuration(api, other)
    rows = {"Organisation": Organisation, "User": User, "Configuration": Configuration,
            "ConnectionCode": ConnectionCode, "Device": Device, "Session": Session, "AuditEvent": AuditLog}
    keys = {name: [ids.encode(name, pk) for pk in await model.all().values_list("id", flat=True)]
            for name, model in rows.items()}
    seeded = {
        # A mutation reaches its write only with a row of the right type: each type is as likely.
        "ID": st.sampled_from(list(keys.values())).flatmap(st.sampled_from),
        "String": st.text(max_size=30) | st.sampled_from(
            [*map(ids.cursor, range(1, 6)), multi["code"], single["code"], PIN, "stella", PASSWORD, "login.failed"]),
    }
    # The admin goes last: what it changes (users, devices, settings) could stop the others' cases.
    callers = [Caller("anonymous", {"X-Device-Token": register}),
               Caller("staff", {"X-Device-Token": register}, staff),
               Caller("admin", {}, org.admin)]
    return seeded, callers


# --- the test -----------------------------------------------------------------------

def _crash(status: int, text: str) -> str | None:
    if status >= 500:
        return f"HTTP {status}"
    if "Traceback" in text:
        return "a traceback in the body"
    errors = json.loads(text).get("errors") or ()
    paths = [error.get("path") for error in errors
             if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"]
    return f"INTERNAL_SERVER_ERROR at {paths}" if paths else None


def _short(variables: dict) -> dict:
    """Variables as a failure shows them: long values cut, so the message stays readable."""
    return {name: value if len(str(value)) <= 60 else f"{value[:20]!r}... ({len(value)} characters)"
            for name, value in variables.items()}


async def send(api, caller: Caller, query: str, variables: dict) -> str | None:
    """Sends one case as ``caller``; what crashed, if anything."""
    if caller.user is not None:
        # A session of its own for every case: the case before may have ended the last one
        # (logout, sessionEnd, deleting the caller's device).
        caller.headers["Authorization"] = f"Bearer {await fresh_session(caller.user)}"
    # ensure_ascii: a lone surrogate travels as the escape "\ud800", as JSON allows.
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    response = await api.client.post("/graphql", data=body,
                                     headers={**caller.headers, "Content-Type": "application/json"})
    return _crash(response.status, await response.text())


async def test_generated_documents_never_crash_the_gateway(api):
    seeded, callers = await seed_organisation(api)
    cases = draw_cases(build_schema(api.client.app[RUNTIME]).as_str(), seeded, PER_FIELD * len(callers))
    crashes = []
    for turn, caller in enumerate(callers):
        for query, variables in cases[turn::len(callers)]:  # a share of every field's documents
            crash = await send(api, caller, query, variables)
            if crash:
                crashes.append(f"{crash} as {caller.name}:\n{query}\nvariables: {_short(variables)}")
    assert not crashes, f"{len(crashes)} of {len(cases)} cases crashed:\n\n" + "\n\n".join(crashes)
