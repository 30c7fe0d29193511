"""Per-process hints: what this process last read of a row, so that it need not read it again.

A hint is never trusted. The statement that acts on it re-checks, in the
database and under the row's lock, everything the decision took from it; a
stale hint costs one more round trip, never a wrong answer. So gateway
processes need not agree on their hints (DESIGN §6: nothing that matters
lives in one process).
"""

from __future__ import annotations

from typing import Generic, Hashable, TypeVar

V = TypeVar("V")


class Hints(Generic[V]):
    """A bounded map, least recently put evicted first: an evicted hint only costs a read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[Hashable, V] = {}

    def get(self, key: Hashable) -> V | None:
        return self._items.get(key)

    def put(self, key: Hashable, value: V) -> None:
        items = self._items
        items.pop(key, None)
        if len(items) >= self.size:
            del items[next(iter(items))]  # dicts keep insertion order: the oldest
        items[key] = value

    def drop(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
