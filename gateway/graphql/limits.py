"""Document limits, enforced during validation (before any resolver runs)."""

from __future__ import annotations

from graphql import (
    BREAK,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    IntValueNode,
    OperationDefinitionNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from strawberry.extensions import max_aliases, query_depth_limiter

from gateway.services.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_ALIASES = 15
MAX_DEPTH = 10
MAX_TOKENS = 2000
# Worst-case objects in one answer (see NodeLimit).
MAX_NODES = 20_000
# Selections (fields, spreads, inline fragments) written in one document,
# checked before validation (see too_many_fields). GraphiQL's introspection
# query writes 80, the biggest example about 20. Validation's cost grows with
# the square of this number: at 100, the worst document costs about twenty
# trivial queries to parse and validate.
MAX_FIELDS = 100
# The same with every fragment spread expanded: GraphiQL's introspection query
# comes to about 240.
MAX_EXPANDED_FIELDS = 600
# What `first` counts as when it is a variable (any value up to the cap may
# come) or absent from a field whose schema gives no default: the pages' own bounds.
MAX_FIRST = MAX_PAGE
DEFAULT_FIRST = DEFAULT_PAGE
# Every mutation that checks a credential (a password, a PIN, a connection code): overrideApprove
# checks a manager's PIN, so two in one document would be two guesses for one request.
AUTH_MUTATIONS = ("loginWithPassword", "loginWithPin", "devicePair", "overrideApprove")


class OneAuthMutation(ValidationRule):
    """At most one credential-checking field per document, however it is aliased
    or hidden in (repeated) fragments: otherwise one request would be many guesses."""

    def enter_document(self, node: DocumentNode, *_args):
        fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
        operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
        found: list[FieldNode] = []
        for operation in operations:
            _collect(operation.selection_set, fragments, found, depth=0)
        if len(found) > 1:
            self.report_error(GraphQLError(
                f"At most one of {', '.join(AUTH_MUTATIONS[:-1])} and {AUTH_MUTATIONS[-1]} per request.",
                found[1], extensions={"code": "TOO_MANY_AUTH_ATTEMPTS"},
            ))
        return BREAK


def _collect(selection_set, fragments, found: list, depth: int) -> None:
    if selection_set is None or depth > 50:  # fragment cycles are refused by another rule
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value in AUTH_MUTATIONS:
                found.append(selection)
            _collect(selection.selection_set, fragments, found, depth + 1)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _collect(fragment.selection_set, fragments, found, depth + 1)
        else:  # inline fragment
            _collect(selection.selection_set, fragments, found, depth + 1)


class NodeLimit(ValidationRule):
    """Refuse a document whose answer could hold more than MAX_NODES objects.

    Every object the answer could hold counts once: a connection, each of its
    edges, each node, each nested object. A field taking `first` answers at most
    `first` items: a literal counts as itself (capped at 100, as the resolvers
    cap it), a variable as 100 (any value may come), an absent one as the
    schema's default (20 if it has none). On a plain list field (`Device.sessions`)
    that multiplies the field itself; on a connection it multiplies its `edges`
    and `nodes` lists. Selecting both `edges { node }` and `nodes` counts both,
    since the answer holds both. Counts multiply along nesting and add up over
    siblings, aliases, inline fragments and fragment spreads (expanded; a spread
    already being expanded counts nothing, so a cycle cannot loop). Fields merged
    by name are counted each time they are written: an upper bound, never less
    than the answer. Lists without `first` (userErrors, deviceTypes) are short by
    construction and count one item.

    Introspection fields are exempt: their answer is bounded by the schema, not
    by the data, and NoSchemaIntrospectionCustomRule refuses them when
    introspection is off.

    The limit applies to the most expensive operation of the document, not to
    the one `operationName` picks: validation is cached by document text, and
    the name is not part of it. A document with one expensive operation is
    refused whichever operation is asked for; split it to run the cheap ones.
    """

    def enter_document(self, node: DocumentNode, *_args):
        fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
        counter = _NodeCounter(self.context.schema, fragments)
        worst, where = 0, None
        for definition in node.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            root = self.context.schema.get_root_type(definition.operation)
            if root is None:
                continue  # KnownOperationTypes (specified rules) reports it
            nodes = counter.selections(definition.selection_set, root, page=None)
            if nodes > worst:
                worst, where = nodes, definition
        if worst > MAX_NODES:
            self.report_error(GraphQLError(
                f"This document could answer {worst} objects; the limit is {MAX_NODES}."
                " Ask for fewer items (first) or fewer nested lists.",
                where, extensions={"code": "QUERY_TOO_LARGE", "nodes": worst, "maxNodes": MAX_NODES},
            ))
        return BREAK


class _NodeCounter:
    def __init__(self, schema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        # A fragment's count depends only on the page size it is spread under:
        # remembered, so fragments spreading others twice over stay linear.
        self.known: dict[tuple[str, int | None], int] = {}
        self.expanding: set[str] = set()

    def selections(self, selection_set, parent, page: int | None) -> int:
        """Objects answered under one object of type ``parent``. ``page`` is
        the item count of the connection ``parent`` is, if it is one."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, page)
            else:  # an inline fragment: its own type, or the enclosing one
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner or parent, page)
        return total

    def spread(self, name: str, page: int | None) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.expanding:
            return 0  # unknown fragments and cycles are reported by other rules
        key = (name, page)
        if key not in self.known:
            parent = self.schema.get_type(fragment.type_condition.name.value)
            self.expanding.add(name)
            self.known[key] = self.selections(fragment.selection_set, parent, page) if parent else 0
            self.expanding.discard(name)
        return self.known[key]

    def field(self, node: FieldNode, parent, page: int | None) -> int:
        name = node.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None or name.startswith("__"):
            return 0  # introspection, or an unknown field that FieldsOnCorrectType reports
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0  # a scalar or an enum is part of its object, not another one
        first = _first(node, definition) if "first" in definition.args else None
        if is_list_type(get_nullable_type(definition.type)):
            # A connection's edges and nodes hold its page; other lists say `first`, or are short.
            items = first if first is not None else page if page is not None else 1
            return items * (1 + self.selections(node.selection_set, named, None))
        # One object; if it is a connection, `first` sizes its lists.
        return 1 + self.selections(node.selection_set, named, first)


def _first(node: FieldNode, definition) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(0, min(int(argument.value.value), MAX_FIRST))
            # A variable may bring any value; null or a wrong type is refused
            # elsewhere, but counting it as the most it could be is always safe.
            return MAX_FIRST
    default = definition.args["first"].default_value
    return default if isinstance(default, int) else DEFAULT_FIRST


def too_many_fields(document: DocumentNode) -> GraphQLError | None:
    """An error when the document selects too many fields, checked after parsing
    and before validation, whose cost it bounds. Two counts:

    - written: fields, fragment spreads and inline fragments as written, each
      fragment definition once. Validation compares overlapping fields pairwise, so its cost grows
      with the square of this number.
    - expanded: the same with every spread replaced by its fragment, as the
      depth rule walks them. Fragments spreading each other twice over would
      double it at each level, so each fragment's size is computed once here
      and counting stays linear in the text.
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sizes: dict[str, int] = {}

    def size(selection_set, expanding: frozenset) -> tuple[int, int]:
        written = expanded = 0
        for selection in selection_set.selections if selection_set is not None else ():
            written += 1  # a field, a spread or an inline fragment: each is walked
            expanded += 1
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in expanding:  # a cycle is NoFragmentCycles' to report
                    if name not in sizes:
                        sizes[name] = size(fragments[name].selection_set, expanding | {name})[1]
                    expanded += sizes[name]
            else:
                inner_written, inner_expanded = size(selection.selection_set, expanding)
                written += inner_written
                expanded += inner_expanded
        return written, expanded

    written = expanded = 0
    for definition in document.definitions:
        if isinstance(definition, (OperationDefinitionNode, FragmentDefinitionNode)):
            inner_written, inner_expanded = size(definition.selection_set, frozenset())
            written += inner_written
            if isinstance(definition, OperationDefinitionNode):
                expanded += inner_expanded
    if written > MAX_FIELDS:
        return GraphQLError(
            f"This document selects {written} fields; the limit is {MAX_FIELDS}.",
            extensions={"code": "QUERY_TOO_LARGE", "fields": written, "maxFields": MAX_FIELDS},
        )
    if expanded > MAX_EXPANDED_FIELDS:
        return GraphQLError(
            f"With its fragments spread, this document selects {expanded} fields;"
            f" the limit is {MAX_EXPANDED_FIELDS}.",
            extensions={"code": "QUERY_TOO_LARGE", "expandedFields": expanded,
                        "maxExpandedFields": MAX_EXPANDED_FIELDS},
        )
    return None


def _is_introspection(context) -> bool:
    # GraphiQL's introspection query is deeper than any real operation.
    return context.field_name.startswith("__")


# Rule classes made once: the validation cache keys on them, so rules built per
# request (what the limiter extensions do) would make every lookup a miss.
RULES = (
    query_depth_limiter.create_validator(MAX_DEPTH, should_ignore=_is_introspection),
    max_aliases.create_validator(MAX_ALIASES),
    OneAuthMutation,
    NodeLimit,
)

