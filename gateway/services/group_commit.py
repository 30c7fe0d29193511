"""Group commit at the gateway: writes of one kind that arrive while one is being written go
together, as one statement and one commit, into the next.

PostgreSQL groups the WAL flushes of concurrent commits, but each statement still costs its
own round trip, its own executor start and its own commit record, and each round trip costs
the gateway more CPU than the statement's rows do (bench/README.md, "What a login's
statement costs"). A PIN login is one such statement; under load, the logins that queue
behind one being written are written by the next statement, together.

At most ``at_once`` statements of a group run at a time in a process: that is what makes
the queue, and so the groups, form; when idle a write goes out alone, at once. The writer is
whichever waiting caller is handed the turn (no task of its own): it takes a connection,
writes the group, answers each member and hands the turn on. Members never share a key (a
device): a statement touches each key once, and a second write for a key waits for the next.

A group that fails is written again one member at a time, each member getting its own
answer or its own error: one member's bad row never fails the others, and nothing of the
failed group was written (one statement is one transaction).
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any, Awaitable, Callable, Hashable, Sequence

from gateway import db

_TURN = object()  # a member's answer that says: write the next group

# (connection, the members' values in order) -> one row per member, in the same order
Write = Callable[[Any, Sequence[Sequence[Any]]], Awaitable[Sequence[Any]]]


class _Member:
    __slots__ = ("values", "key", "answer")

    def __init__(self, values: Sequence[Any], key: Hashable) -> None:
        self.values, self.key = values, key
        self.answer: asyncio.Future = asyncio.get_running_loop().create_future()


class GroupCommit:
    def __init__(self, client, write: Write, at_once: int = 1, most: int = 16) -> None:
        self.client, self.write, self.at_once, self.most = client, write, at_once, most
        self.queue: collections.deque[_Member] = collections.deque()
        self.writing = 0  # turns taken: statements being written, or about to be
        self.handed = 0  # turns handed to a waiting caller that has not woken yet

    async def submit(self, values: Sequence[Any], key: Hashable) -> Any:
        """The row ``write`` returned for ``values``, written alone or with others."""
        member = _Member(values, key)
        self.queue.append(member)
        if self.writing < self.at_once:
            self.writing += 1
            answer = _TURN
        else:
            answer = await self._wait(member)
        while answer is _TURN:
            try:
                await self._write_next()
            except BaseException:
                self._leave(member)
                raise
            answer = await self._wait(member)  # answered by that write, or by a later one
        return answer

    async def _wait(self, member: _Member) -> Any:
        """The member's row, or the turn to write (then it is first in the queue again)."""
        try:
            answer = await member.answer
        except asyncio.CancelledError:
            self._leave(member)
            raise
        if answer is _TURN:
            self.handed -= 1
            member.answer = asyncio.get_running_loop().create_future()
            self.queue.appendleft(member)
        return answer

    def _leave(self, member: _Member) -> None:
        """A member whose caller stops waiting: out of the queue, and its turn, if it had one, handed on."""
        if member in self.queue:
            self.queue.remove(member)
        answer = member.answer
        if answer.done() and not answer.cancelled() and answer.exception() is None and answer.result() is _TURN:
            self.writing -= 1
            self.handed -= 1
            self._hand_on()

    async def _write_next(self) -> None:
        """One turn: take a connection, write the next group, answer its members, hand the turn on."""
        group: list[_Member] = []
        try:
            connection = await db.take_lane(self.client)
            clean = False
            try:
                group = self._take_group()
                self._hand_on()  # those left over (a key twice, or more than ``most``) need not wait for this write
                clean = await self._write(connection, group)
            finally:
                await db.give_back_lane(self.client, connection, clean)
        except BaseException as error:
            for member in group:  # interrupted (cancelled, or the database closing): no answer to give
                _settle(member, error=error if isinstance(error, Exception) else ConnectionError(
                    "the write was interrupted"))
            raise
        finally:
            self.writing -= 1
            self._hand_on()

    def _take_group(self) -> list[_Member]:
        group, keys, later = [], set(), []
        while self.queue and len(group) < self.most:
            member = self.queue.popleft()
            if member.answer.done():  # cancelled while queued
                continue
            if member.key in keys:
                later.append(member)
            else:
                keys.add(member.key)
                group.append(member)
        self.queue.extendleft(reversed(later))
        return group

    async def _write(self, connection, group: list[_Member]) -> bool:
        """Answer every member; True if the connection ended clean (its last statement succeeded)."""
        if not group:
            return True
        try:
            rows = await self.write(connection, [member.values for member in group])
        except Exception as error:
            if len(group) == 1:
                _settle(group[0], error=error)
                return False
            return await self._write_alone(connection, group)
        for member, row in zip(group, rows, strict=True):
            _settle(member, row)
        return True

    async def _write_alone(self, connection, group: list[_Member]) -> bool:
        clean = True
        for member in group:
            try:
                [row] = await self.write(connection, [member.values])
            except Exception as error:
                _settle(member, error=error)
                clean = False
            else:
                _settle(member, row)
                clean = True
        return clean

    def _hand_on(self) -> None:
        """Give the turn to the first caller still waiting, if there is room for one and no turn
        handed already waits to be used (that one will write the whole queue). The caller leaves
        the queue until it writes (``_wait``), so that no other write takes its row meanwhile."""
        while self.queue and self.writing < self.at_once and not self.handed:
            member = self.queue.popleft()
            if not member.answer.done():  # else cancelled while queued
                self.writing += 1
                self.handed += 1
                member.answer.set_result(_TURN)


def _settle(member: _Member, row: Any = None, error: BaseException | None = None) -> None:
    if member.answer.done():  # its caller was cancelled meanwhile: nobody to answer
        return
    if error is not None:
        member.answer.set_exception(error)
    else:
        member.answer.set_result(row)
