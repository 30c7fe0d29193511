"""The executor of every operation: Strawberry's, with each subscription event's memo its own.

graphql-core 3.3.2 builds the executor of a subscription's event as a shallow copy of the
subscription's executor, so all its events share one memo of the sub-fields it collected. That
memo is keyed by lists made anew at each event, so it gained entries at every event until the
subscription ended: about 3 KB per event per subscription (the fan-out bench, bench/README.md),
gigabytes a day for a busy organisation's open device lists. Here each event's executor keeps
the sub-fields it collects in a memo of its own, which goes with it.
"""

from __future__ import annotations

from graphql.execution.collect_fields import collect_subfields
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class Executor(StrawberryGraphQLCoreExecutionContext):
    event_subfields: dict | None = None  # set on an event's executor only

    def build_per_event_executor(self, payload):
        executor = super().build_per_event_executor(payload)
        executor.event_subfields = {}
        return executor

    def collect_subfields(self, return_type, field_details_list):
        memo = self.event_subfields
        if memo is None:  # a query, a mutation: graphql-core's own memo dies with the executor
            return super().collect_subfields(return_type, field_details_list)
        # Keyed as graphql-core keys it, by the list's identity, with the list kept alive beside it.
        key = (return_type, id(field_details_list))
        cached = memo.get(key)
        if cached is None:
            collected = collect_subfields(self.schema, self.fragments, self.variable_values, self.operation,
                                          return_type, field_details_list, self.hide_suggestions)
            cached = memo[key] = (field_details_list, collected)
        return cached[1]
