"""Document limits, enforced during validation (before any resolver runs)."""

from __future__ import annotations

from graphql import (
    BREAK,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.extensions import max_aliases, query_depth_limiter

MAX_ALIASES = 15
MAX_DEPTH = 10
MAX_TOKENS = 2000
AUTH_MUTATIONS = frozenset({"loginWithPassword", "loginWithPin", "devicePair"})


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
                "At most one of loginWithPassword, loginWithPin and devicePair per request.",
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


def _is_introspection(context) -> bool:
    # GraphiQL's introspection query is deeper than any real operation.
    return context.field_name.startswith("__")


# Rule classes made once: the validation cache keys on them, so rules built per
# request (what the limiter extensions do) would make every lookup a miss.
RULES = (
    query_depth_limiter.create_validator(MAX_DEPTH, should_ignore=_is_introspection),
    max_aliases.create_validator(MAX_ALIASES),
    OneAuthMutation,
)


def extensions() -> list:
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(list(RULES)),
    ]
