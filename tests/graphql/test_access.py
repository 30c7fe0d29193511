"""Who may read what, proved by walking the schema.

Every selection path the schema allows, from every root field (and from the
payloads an anonymous client can produce), to a depth of 6 objects, is sent
as an anonymous client, as a STAFF member of organisation A, as a MANAGER of
organisation B and with a session of A locked at its register, against
organisation A's data (all four sending the device token of A's register). Whatever comes back is held
to the matrix written out again below, independently of gateway/graphql/access.py:
one object too many, or one field too many, fails the test.

A path that comes back empty is not walked further (nothing deeper can come
back through it). When an object comes back null because one of its fields is
refused, each field is asked for on its own, so that a refused non-null field
cannot hide a leak beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

from graphql import GraphQLInterfaceType, get_named_type, is_leaf_type, is_required_argument

from gateway.graphql import ids, limits
from gateway.graphql.schema import build_schema
from gateway.models import AuditLog, ConnectionCode, Device, Override, Role, Session, User
from gateway.services.runtime import Runtime
from gateway.services.tokens import hash_token
from tests.support import (
    add_pin_user, code, configuration, enable_pins, login, new_org, pair, pin_login,
)

MAX_DEPTH = 6  # objects along a path, connections not counted
PAGE = "first: 3"
EVERYTHING = None

# What someone who does not administer organisation A may read of it: type -> (is it theirs, which fields).
STAFF_FIELDS = {
    "Organisation": {"id", "name", "pinLoginEnabled", "sessionIdleMinutes", "sessionMaxHours", "sessionLockMinutes"},
    "User": EVERYTHING,
    "Session": EVERYTHING,
    "Device": {"id", "name", "deviceType", "status", "configuration"},
    "Configuration": {"id", "name", "description"},
    "Override": EVERYTHING,  # the ones they asked for or redeemed
}
ORGANISATION_OBJECTS = {"Organisation", "User", "Session", "Device", "Configuration", "ConnectionCode", "AuditEvent",
                        "Override"}
# What anyone at a register of organisation A (its device token, with or without a session of A)
# reads of the session locked there: whose it is, by display name, and since when; nothing else.
LOCK_SCREEN_FIELDS = {"LockedSession": {"lockedAt", "user"}, "LockedSessionUser": {"displayName"}}


@dataclasses.dataclass
class Seeded:
    a_id: int
    staff: User
    register: Device  # the STAFF member's register
    staff_token: str
    register_token: str
    code_value: str
    manager_b_token: str
    b_id: int
    locked_token: str  # a session on the register, locked
    locked_name: str  # its user's display name


async def _seed(api) -> Seeded:
    a = await new_org(api, "Bistro A", "admin-a")
    await enable_pins(api, a)
    await add_pin_user(api, a, "staff-a", "24680")
    await add_pin_user(api, a, "other-a", "13579")
    profile = await configuration(api, a)
    multi_use = await code(api, a, profile, description="Registers")
    first, second = await pair(api, multi_use["code"], "Till 1"), await pair(api, multi_use["code"], "Till 2")
    await add_pin_user(api, a, "manager-a", "97531", role="MANAGER")
    # The register says which app it runs, so its appVersion has a value that a leak would show.
    await api.post("{ thisDevice { known } }", device_token=first["deviceToken"], headers={"X-App-Version": "POS 4.2"})
    staff_token = (await pin_login(api, "24680", first["deviceToken"]))["token"]
    other_token = (await pin_login(api, "13579", second["deviceToken"]))["token"]
    # Overrides: one staff-a asked for, one other-a asked for and the admin redeemed, one other-a
    # asked for and staff-a redeemed.
    await _override(api, staff_token, first["deviceToken"])
    await _override(api, other_token, second["deviceToken"], redeemer=a.token)
    await _override(api, other_token, second["deviceToken"], redeemer=staff_token)
    # A colleague's session on the STAFF member's register, locked from the back office.
    await add_pin_user(api, a, "locked-a", "31864")
    locked_token = (await pin_login(api, "31864", first["deviceToken"]))["token"]
    locked_id = ids.encode("Session", (await Session.get(token_hash=hash_token(locked_token))).id)
    await api.data('mutation($id: ID) { sessionLock(input: {id: $id}) { userErrors { code } } }', {"id": locked_id},
                   token=a.token)
    await login(api, "admin-a")  # another admin session
    b = await new_org(api, "Bistro B", "admin-b")
    await add_pin_user(api, b, "manager-b", "11223", method="PASSWORD_AND_PIN", role="MANAGER")
    manager_b_token = await login(api, "manager-b")
    # B's admin sends A's device token with an audited change: it must not name A's device.
    await api.post('mutation { configurationCreate(input: {name: "B profile"}) { userErrors { code } } }',
                   token=b.token, device_token=first["deviceToken"])
    staff = await User.get(username="staff-a")
    register = await Device.get(id=ids.decode(first["device"]["id"], "Device"))
    return Seeded(a_id=a.id, staff=staff, register=register, staff_token=staff_token,
                  register_token=first["deviceToken"], code_value=multi_use["code"], manager_b_token=manager_b_token,
                  b_id=b.id, locked_token=locked_token, locked_name=(await User.get(username="locked-a")).display_name)


async def _override(api, session: str, device_token: str, redeemer: str | None = None) -> None:
    """An override approved by manager-a's PIN on the register of ``session``, redeemed by ``redeemer``."""
    data = await api.data("""mutation { overrideApprove(input: {pin: "97531", action: REFUND}) {
        overrideToken userErrors { code } } }""", token=session, device_token=device_token)
    assert data["overrideApprove"]["userErrors"] == [], data
    if redeemer:
        redeemed = await api.data("mutation($t: String) { overrideRedeem(input: {token: $t}) { userErrors { code } } }",
                                  {"t": data["overrideApprove"]["overrideToken"]}, token=redeemer)
        assert redeemed["overrideRedeem"]["userErrors"] == []


async def _organisation_of(type_name: str, pk: int) -> int | None:
    model = {"User": User, "Session": Session, "Device": Device, "ConnectionCode": ConnectionCode,
             "AuditEvent": AuditLog, "Override": Override}.get(type_name)
    if type_name == "Organisation":
        return pk
    if type_name == "Configuration":
        from gateway.models import Configuration
        model = Configuration
    row = await model.get_or_none(id=pk)
    return row.organisation_id if row else None


class Caller:
    errors = {"UNAUTHENTICATED", "FORBIDDEN"}  # the refusals this caller may meet
    at_a_register = True  # sends the device token of A's register, and counts as there (its lock screen)

    def __init__(self, name: str, headers: dict) -> None:
        self.name, self.headers = name, headers

    async def may_read(self, seeded: Seeded, type_name: str, pk: int, field: str) -> bool:
        raise NotImplementedError


class Anonymous(Caller):
    async def may_read(self, seeded, type_name, pk, field):
        return False  # of an organisation's objects, nothing


class Locked(Anonymous):
    """The token of a session locked at A's register: it reads what an anonymous client there does."""

    errors = {"SESSION_LOCKED"}


class Staff(Caller):
    async def may_read(self, seeded, type_name, pk, field):
        if type_name not in STAFF_FIELDS or await _organisation_of(type_name, pk) != seeded.a_id:
            return False
        fields = STAFF_FIELDS[type_name]
        if fields is not EVERYTHING and field not in fields:
            return False
        if type_name == "User":
            return pk == seeded.staff.id
        if type_name == "Session":
            return (await Session.get(id=pk)).user_id == seeded.staff.id
        if type_name == "Device":
            return pk == seeded.register.id
        if type_name == "Configuration":
            return pk == seeded.register.configuration_id
        if type_name == "Override":
            override = await Override.get(id=pk)
            return seeded.staff.id in (override.requested_by_id, override.redeemed_by_id)
        return True  # their organisation


class ManagerOfB(Caller):
    at_a_register = False  # A's device token beside B's session is no device

    async def may_read(self, seeded, type_name, pk, field):
        return await _organisation_of(type_name, pk) == seeded.b_id


# -- documents ---------------------------------------------------------------

def _args(field) -> str | None:
    """Arguments for a field the walk can ask for without inventing values; None if it cannot."""
    if any(is_required_argument(arg) for arg in field.args.values()):
        return None
    return f"({PAGE})" if "first" in field.args else ""


def _leaves(type_) -> list[str]:
    return [name for name, field in type_.fields.items() if is_leaf_type(get_named_type(field.type))
            and _args(field) is not None]


def _document(operation: str, path: list[str], selection: str) -> str:
    inner = selection
    for step in reversed(path):
        inner = f"{step} {{ {inner} }}"
    return f"{operation} {{ {inner} }}"


def _select(type_, fields: list[str] | None = None) -> str:
    """``__typename`` and the leaf fields of the object type ``type_``."""
    return "__typename " + " ".join(fields if fields is not None else _leaves(type_))


def _document_depth(steps: list[str]) -> int:
    """The depth of the fields selected under ``steps``: root fields are at 0, inline fragments add nothing."""
    return sum(1 for step in steps if not step.startswith("..."))


def _objects(value):
    """Every object of an answer, anywhere in it."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _at(data, path_keys: list[str]):
    """The values at a path of the answer (lists flattened)."""
    values = [data]
    for key in path_keys:
        found = []
        for value in values:
            items = value if isinstance(value, list) else [value]
            found.extend(item.get(key) for item in items if isinstance(item, dict))
        values = [v for v in found if v is not None]
        values = [item for v in values for item in (v if isinstance(v, list) else [v])]
    return values


class Walk:
    def __init__(self, api, schema, seeded: Seeded, caller: Caller) -> None:
        self.api, self.schema, self.seeded, self.caller = api, schema, seeded, caller
        self.leaks: list[str] = []
        self.requests = 0
        self.refusals: set[str] = set()

    async def post(self, document: str, variables: dict | None = None) -> dict:
        self.requests += 1
        response = await self.api.client.post("/graphql", json={"query": document, "variables": variables or {}},
                                              headers=self.caller.headers)
        body = await response.json()
        assert response.status == 200, (document, body)
        for error in body.get("errors", []):
            code = error.get("extensions", {}).get("code")
            assert code in self.caller.errors, (self.caller.name, document, error)
            self.refusals.add(code)
        return body

    def check_lock_screen(self, document: str, type_name: str, obj: dict) -> None:
        for field, value in obj.items():
            if field == "__typename" or value is None:
                continue
            if (not self.caller.at_a_register or field not in LOCK_SCREEN_FIELDS[type_name]
                    or (field == "displayName" and value != self.seeded.locked_name)):
                self.leaks.append(f"{self.caller.name} read {type_name}.{field} = {value!r} via {document}")

    async def check(self, document: str, body: dict) -> None:
        for obj in _objects(body.get("data")):
            type_name = obj.get("__typename")
            if type_name in LOCK_SCREEN_FIELDS:
                self.check_lock_screen(document, type_name, obj)
            if type_name not in ORGANISATION_OBJECTS:
                continue
            decoded = ids.decode_any(obj.get("id"))
            assert decoded and decoded[0] == type_name, (document, obj)
            for field, value in obj.items():
                if field == "__typename" or value is None:
                    continue
                if not await self.caller.may_read(self.seeded, type_name, decoded[1], field):
                    self.leaks.append(f"{self.caller.name} read {type_name}.{field} of {decoded} via {document}")

    async def path(self, operation: str, steps: list[str], keys: list[str], type_, depth: int) -> None:
        """Ask for ``type_`` at ``steps`` (fields or inline fragments, each opening a selection);
        check what comes back; walk on from it. ``keys`` are the answer's keys along the path."""
        if _document_depth(steps) > limits.MAX_DEPTH:
            return  # its fields would be refused for their depth, whoever asks
        named = get_named_type(type_)
        if isinstance(named, GraphQLInterfaceType):  # each implementation in turn, as an inline fragment
            for implementation in self.schema.get_implementations(named).objects:
                await self.path(operation, steps + [f"... on {implementation.name}"], keys, implementation, depth)
            return
        document = _document(operation, steps, _select(named))
        body = await self.post(document)
        await self.check(document, body)
        found = [value for value in _at(body.get("data"), keys) if value]  # {} is another type's object
        if not found and body.get("errors"):
            # A refused non-null field nulls its object: ask for each field alone, so none hides another.
            for leaf in _leaves(named):
                alone = ["id", leaf] if "id" in named.fields and leaf != "id" else [leaf]
                document = _document(operation, steps, _select(named, alone))
                body = await self.post(document)
                await self.check(document, body)
            found = [value for value in _at((await self.post(_document(operation, steps, "__typename"))).get("data"), keys)
                     if value]
        if found and depth < MAX_DEPTH:
            await self.fields(operation, steps, keys, named, depth)

    async def fields(self, operation: str, steps: list[str], keys: list[str], named, depth: int) -> None:
        """Walk on through every object-valued field of ``named``, as deep as a document may go."""

        for name, field in named.fields.items():
            args = _args(field)
            inner = get_named_type(field.type)
            if args is None or is_leaf_type(inner) or name.startswith("__"):
                continue
            step = f"{name}{args}"
            if inner.name.endswith("Connection"):
                target = inner.fields["nodes"].type
                await self.path(operation, steps + [step, "nodes"], keys + [name, "nodes"], target, depth + 1)
                # The same items through edges: checked, not walked on from (they lead where nodes lead).
                await self.path(operation, steps + [step, "edges", "node"], keys + [name, "edges", "node"], target,
                                MAX_DEPTH)
            else:
                await self.path(operation, steps + [step], keys + [name], field.type, depth + 1)


async def _walk(api, schema, seeded: Seeded, caller: Caller) -> Walk:
    walk = Walk(api, schema, seeded, caller)
    query = schema.query_type
    for name, field in query.fields.items():
        if name == "node":
            for global_id in await _every_id(seeded):
                type_name = ids.decode_any(global_id)[0]
                await walk.path("query", [f'node(id: "{global_id}")', f"... on {type_name}"], ["node"],
                                schema.get_type(type_name), 1)
            continue
        args = _args(field)
        if args is None or is_leaf_type(get_named_type(field.type)):
            continue
        inner = get_named_type(field.type)
        if inner.name.endswith("Connection"):
            target = get_named_type(inner.fields["nodes"].type)
            await walk.path("query", [f"{name}{args}", "nodes"], [name, "nodes"], target, 1)
        else:
            await walk.path("query", [f"{name}{args}"], [name], field.type, 1)
    return walk


async def _every_id(seeded: Seeded) -> list[str]:
    found = [ids.encode("Organisation", seeded.a_id), ids.encode("Organisation", seeded.b_id)]
    from gateway.models import Configuration
    for type_name, model in (("User", User), ("Session", Session), ("Device", Device), ("Configuration", Configuration),
                             ("ConnectionCode", ConnectionCode), ("AuditEvent", AuditLog), ("Override", Override)):
        found += [ids.encode(type_name, pk) for pk in await model.all().values_list("id", flat=True)]
    return found


def _schema(settings, plugins=None):
    from gateway.plugins import get_plugin_manager
    return build_schema(Runtime.build(settings, plugins or get_plugin_manager(load_entry_points=False)))._schema


async def test_nobody_reads_beyond_the_matrix_by_any_path(api, settings):
    seeded = await _seed(api)
    schema = _schema(settings)
    callers = [
        Anonymous("anonymous", {"X-Device-Token": seeded.register_token}),
        Staff("STAFF of A", {"Authorization": f"Bearer {seeded.staff_token}", "X-Device-Token": seeded.register_token}),
        ManagerOfB("MANAGER of B", {"Authorization": f"Bearer {seeded.manager_b_token}",
                                    "X-Device-Token": seeded.register_token}),
        Locked("a locked session of A", {"Authorization": f"Bearer {seeded.locked_token}",
                                         "X-Device-Token": seeded.register_token}),
    ]
    leaks, lock_screens = [], {}
    for caller in callers:
        walk = await _walk(api, schema, seeded, caller)
        assert walk.requests > 20, caller.name  # the walk went somewhere
        leaks += walk.leaks
        lock_screens[caller.name] = (await api.data("{ thisDevice { lockedSession { user { displayName } } } }",
                                                    headers=caller.headers))["thisDevice"]["lockedSession"]
        if isinstance(caller, Locked):
            assert walk.refusals == {"SESSION_LOCKED"}
    assert leaks == []
    # The walk reached the lock screen wherever it is shown (else it checked nothing there).
    shown = {"user": {"displayName": seeded.locked_name}}
    assert lock_screens == {"anonymous": shown, "STAFF of A": shown, "MANAGER of B": None,
                            "a locked session of A": shown}


def test_every_organisation_object_has_a_rule():
    from gateway.graphql import access
    from gateway.graphql.schema import NODE_TYPES

    assert {t.__name__ for t in NODE_TYPES} == set(access.RULES) == ORGANISATION_OBJECTS


# The document: a register's STAFF member reaching the code that paired it, its creator and everyone's sessions.
NESTED = """{ viewer { device { name pairedWith { code createdBy { username sessions { nodes { ipAddress } } } }
  sessions { nodes { user { username } } } } } }"""


async def test_staff_reach_neither_the_code_nor_anyone_elses_sessions_by_nesting(api):
    seeded = await _seed(api)
    body = await api.post(NESTED, token=seeded.staff_token, device_token=seeded.register_token)
    assert body["data"] == {"viewer": {"device": None}}  # a refused non-null field nulls its device
    assert {tuple(e["path"]) for e in body["errors"]} == {("viewer", "device", "pairedWith"),
                                                          ("viewer", "device", "sessions")}
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert seeded.code_value.replace("-", "") not in str(body).replace("-", "")
    allowed = await api.data("{ viewer { device { id name status configuration { name } } } }",
                             token=seeded.staff_token, device_token=seeded.register_token)
    assert allowed["viewer"]["device"]["name"] == "Till 1"


async def test_a_paired_device_reads_itself_but_not_its_code(api):
    seeded = await _seed(api)
    body = await api.post("""mutation($c: String!) { devicePair(input: {code: $c}) {
        device { name status configuration { name } pairedWith { code } } } }""", {"c": seeded.code_value})
    assert body["data"]["devicePair"]["device"]["pairedWith"] is None
    [error] = body["errors"]
    assert error["path"] == ["devicePair", "device", "pairedWith"] and error["extensions"]["code"] == "FORBIDDEN"
    body = await api.post("""mutation($c: String!) { devicePair(input: {code: $c}) {
        device { name status configuration { name } } configuration { name createdAt } } }""", {"c": seeded.code_value})
    assert body["data"]["devicePair"]["device"]["configuration"] == {"name": "Front counter"}
    assert [e["path"] for e in body["errors"]] == [["devicePair", "configuration", "createdAt"]]


async def test_a_login_reads_its_own_session_and_user(api):
    seeded = await _seed(api)
    body = await api.post("""mutation { loginWithPin(input: {pin: "24680"}) {
        session { method device { name } user { username } } user { username sessions { nodes { method } } } } }""",
                          device_token=seeded.register_token)
    assert "errors" not in body, body
    assert body["data"]["loginWithPin"]["session"]["user"] == {"username": "staff-a"}
    assert body["data"]["loginWithPin"]["session"]["device"] == {"name": "Till 1"}


async def test_another_organisations_audit_log_never_names_our_device(api):
    seeded = await _seed(api)  # B's admin sent A's device token with an audited change
    b_events = await AuditLog.filter(organisation_id=seeded.b_id)
    assert b_events and all(event.device_id != seeded.register.id for event in b_events)
    body = await api.post("{ auditEvents(first: 100) { nodes { type device { id name } } } }",
                          token=seeded.manager_b_token, device_token=seeded.register_token)
    named = {node["device"]["id"] for node in body["data"]["auditEvents"]["nodes"] if node["device"]}
    assert "errors" not in body and ids.encode("Device", seeded.register.id) not in named


async def test_staff_may_ask_the_type_of_what_they_read(api):
    """Client libraries add __typename to every selection: refused, it nulled the whole register
    (it is non-null), and the walk above, which asks for it everywhere, saw no field of it."""
    seeded = await _seed(api)
    body = await api.post("{ viewer { device { __typename name configuration { __typename name } } } }",
                          token=seeded.staff_token, device_token=seeded.register_token)
    assert body["data"] == {"viewer": {"device": {"__typename": "Device", "name": "Till 1",
                                                  "configuration": {"__typename": "Configuration",
                                                                    "name": "Front counter"}}}}


# -- live events ----------------------------------------------------------------

class Register(Anonymous):
    """A live connection with A's register's device token and no live session of its own reads
    its device's events as the device: itself and its configuration's name, as a device that has
    just paired reads them."""

    async def may_read(self, seeded, type_name, pk, field):
        if type_name == "Device":
            return pk == seeded.register.id and field in STAFF_FIELDS["Device"]
        if type_name == "Configuration":
            return pk == seeded.register.configuration_id and field in STAFF_FIELDS["Configuration"]
        return False


class LockedRegister(Register):
    errors = {"SESSION_LOCKED", "FORBIDDEN"}  # locked for what a session does; the device's own events as above


def _event_documents(schema, code_id: str, register_id: str) -> list[str]:
    """Every subscription, and through each event every object it names, each field alone, and
    what those objects name in turn (ids)."""
    roots = {"connectionCodeEvents": f'(id: "{code_id}")', "deviceEvents": "",
             "deviceEvents ": f'(id: "{register_id}")', "thisDeviceEvents": ""}
    documents = []
    for root, args in roots.items():
        event = get_named_type(schema.subscription_type.fields[root.strip()].type)
        for name, field in event.fields.items():
            named = get_named_type(field.type)
            if is_leaf_type(named):
                continue
            selections = [leaf for leaf in _leaves(named)]
            for inner, inner_field in named.fields.items():
                target = get_named_type(inner_field.type)
                arguments = _args(inner_field)
                if is_leaf_type(target) or arguments is None:
                    continue
                if target.name.endswith("Connection"):
                    selections.append(f"{inner}{arguments} {{ nodes {{ __typename id }} }}")
                else:
                    selections.append(f"{inner}{arguments} {{ __typename id }}")
            for selection in selections:
                documents.append(f"subscription {{ {root.strip()}{args} {{ type {name} {{ __typename id {selection} }} }} }}")
    return documents


async def test_nobody_reads_beyond_the_matrix_in_live_events(api, settings):
    from tests.graphql.live_client import connect

    seeded = await _seed(api)
    schema = _schema(settings)
    admin = await login(api, "admin-a")
    code_id = (await api.data("{ connectionCodes { nodes { id } } }", token=admin))["connectionCodes"]["nodes"][0]["id"]
    register_id = ids.encode("Device", seeded.register.id)
    documents = _event_documents(schema, code_id, register_id)
    callers = [
        (Register("a register's socket", {}), {"deviceToken": seeded.register_token}),
        (Staff("STAFF of A", {}), {"authorization": f"Bearer {seeded.staff_token}", "deviceToken": seeded.register_token}),
        (ManagerOfB("MANAGER of B", {}), {"authorization": f"Bearer {seeded.manager_b_token}",
                                           "deviceToken": seeded.register_token}),
        (LockedRegister("a locked session's socket", {}), {"authorization": f"Bearer {seeded.locked_token}",
                                                            "deviceToken": seeded.register_token}),
    ]
    leaks, heard = [], {}
    async with contextlib.AsyncExitStack() as stack:
        listening = []
        for caller, payload in callers:
            walk = Walk(api, schema, seeded, caller)
            for start in range(0, len(documents), 20):  # at most 20 operations per connection
                socket = await stack.enter_async_context(connect(api.client, **_credentials(payload)))
                for document in documents[start:start + 20]:
                    listening.append((walk, socket, document, await socket.subscribe(document)))
        await asyncio.sleep(0.5)
        # Events that name every kind of object: a rename, a PIN login (a session), a pairing (a code).
        await api.data('mutation($id: ID!) { deviceRename(input: {id: $id, name: "Till 1"}) { userErrors { code } } }',
                       {"id": register_id}, token=admin)
        await pin_login(api, "13579", seeded.register_token)
        await pair(api, seeded.code_value, "Till 3")
        await asyncio.sleep(1.5)
        for walk, socket, document, operation in listening:
            while not socket.inbox[operation].empty():
                message = socket.inbox[operation].get_nowait()
                if message["type"] == "complete":
                    continue
                errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors", [])
                for error in errors:
                    code = error.get("extensions", {}).get("code")
                    assert code in walk.caller.errors | {"BAD_USER_INPUT"}, (walk.caller.name, document, error)
                if message["type"] == "next":
                    heard[walk.caller.name] = heard.get(walk.caller.name, 0) + 1
                    await walk.check(document, {"data": message["payload"]["data"]})
            leaks += walk.leaks
    assert leaks == []
    # Each caller of A heard events (else nothing was checked): its own device's, at least; B's
    # manager, sending A's device token beside B's session, nothing at all.
    assert set(heard) == {caller.name for caller, _ in callers} - {"MANAGER of B"}, heard


def _credentials(payload: dict) -> dict:
    token = payload.get("authorization", "").removeprefix("Bearer ") or None
    return {"token": token, "device_token": payload.get("deviceToken")}
