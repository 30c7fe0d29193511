"""services/group_commit.py on its own: who writes, what goes together, and what each caller gets back."""

import asyncio

import pytest

from gateway import db
from gateway.services.group_commit import GroupCommit


class Writes:
    """A stand-in for the statement: each write answers its values doubled, once let through."""

    def __init__(self, fail_with=None) -> None:
        self.groups: list[list] = []
        self.gate = asyncio.Event()
        self.fail_with = fail_with  # values that make any write holding them fail
        self.at_once = self.most_at_once = 0

    async def __call__(self, connection, values):
        assert connection == "connection"
        self.groups.append(list(values))
        self.at_once += 1
        self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            await self.gate.wait()
        finally:
            self.at_once -= 1
        if self.fail_with is not None and self.fail_with in values:
            raise ValueError(f"bad row {self.fail_with}")
        return [2 * value for value in values]


@pytest.fixture(autouse=True)
def lanes(monkeypatch):
    given_back = []

    async def take_lane(client):
        return "connection"

    async def give_back_lane(client, connection, clean):
        given_back.append(clean)

    monkeypatch.setattr(db, "take_lane", take_lane)
    monkeypatch.setattr(db, "give_back_lane", give_back_lane)
    return given_back


async def _answer(call):
    """The call's answer; a caller left waiting for ever (a lost turn) fails the test instead of hanging it."""
    return await asyncio.wait_for(call, 5)


async def _until(condition) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def _one_being_written(most: int = 6, **options) -> tuple[Writes, GroupCommit, asyncio.Future]:
    """A group (one statement at a time) whose first caller's write is under way, held at the gate."""
    writes = Writes(**options)
    group = GroupCommit("client", writes, at_once=1, most=most)
    first = asyncio.ensure_future(group.submit(1, key=1))
    await _until(lambda: writes.groups)
    return writes, group, first


async def _queued(group: GroupCommit, *values_and_keys) -> list[asyncio.Future]:
    calls = [asyncio.ensure_future(group.submit(value, key=key)) for value, key in values_and_keys]
    await _until(lambda: len(group.queue) == len(calls))
    return calls


async def test_callers_that_queue_behind_a_write_are_written_together_next():
    writes, group, first = await _one_being_written(most=3)
    queued = await _queued(group, (2, "b"), (3, "c"), (4, "d"))
    writes.gate.set()
    assert await _answer(first) == 2
    assert await _answer(asyncio.gather(*queued)) == [4, 6, 8]
    assert writes.groups == [[1], [2, 3, 4]]
    assert writes.most_at_once == 1 and group.writing == 0 and not group.queue


async def test_a_group_holds_at_most_most_callers_and_never_one_key_twice():
    writes, group, first = await _one_being_written(most=2)
    queued = await _queued(group, (2, "b"), (3, "b"), (4, "c"), (5, "d"))
    writes.gate.set()
    assert await _answer(asyncio.gather(first, *queued)) == [2, 4, 6, 8, 10]
    # "b" twice: its second row waits for the next statement, and keeps its place ahead of "d".
    assert writes.groups == [[1], [2, 4], [3, 5]]


async def test_at_once_statements_at_a_time():
    writes = Writes()
    group = GroupCommit("client", writes, at_once=2, most=6)
    calls = [asyncio.ensure_future(group.submit(value, key=value)) for value in range(1, 9)]
    await _until(lambda: len(writes.groups) == 2 and len(group.queue) == 6)
    writes.gate.set()
    assert await _answer(asyncio.gather(*calls)) == [2 * value for value in range(1, 9)]
    # The first write to finish hands the turn to 3, which writes the whole queue: no turn for 4 alone.
    assert writes.groups == [[1], [2], [3, 4, 5, 6, 7, 8]]
    assert writes.most_at_once == 2 and group.writing == 0


async def test_a_failing_group_is_written_again_one_by_one(lanes):
    writes, group, first = await _one_being_written(fail_with=3)
    calls = await _queued(group, (2, 2), (3, 3), (4, 4))
    writes.gate.set()
    answers = await _answer(asyncio.gather(first, *calls, return_exceptions=True))
    assert answers[:2] == [2, 4] and answers[3] == 8
    assert isinstance(answers[2], ValueError) and str(answers[2]) == "bad row 3"
    assert writes.groups == [[1], [2, 3, 4], [2], [3], [4]]
    assert lanes == [True, True]  # each time, the connection's last statement succeeded


async def test_a_caller_cancelled_while_queued_is_not_written():
    writes, group, first = await _one_being_written()
    gone, kept = await _queued(group, (2, 2), (3, 3))
    gone.cancel()
    await asyncio.sleep(0)
    writes.gate.set()
    assert await _answer(first) == 2 and await _answer(kept) == 6
    assert gone.cancelled() and writes.groups == [[1], [3]]


async def test_a_writer_cancelled_mid_write_answers_its_group_and_hands_the_turn_on():
    writes, group, writer = await _one_being_written()
    [later] = await _queued(group, (2, 2))
    writer.cancel()  # e.g. the server shutting down: its statement's outcome is unknown
    with pytest.raises(asyncio.CancelledError):
        await writer
    writes.gate.set()
    assert await _answer(later) == 4  # the next caller was handed the turn: nobody waits for ever
    assert writes.groups == [[1], [2]] and group.writing == 0


async def test_a_caller_cancelled_when_handed_the_turn_hands_it_on(monkeypatch):
    writes, group, first = await _one_being_written(most=1)
    second, third = await _queued(group, (2, 2), (3, 3))
    hand_on = group._hand_on

    def hand_on_then_cancel():  # the second caller goes away just as it is handed the turn
        hand_on()
        if not second.done():
            second.cancel()

    monkeypatch.setattr(group, "_hand_on", hand_on_then_cancel)
    writes.gate.set()
    assert await _answer(first) == 2 and await _answer(third) == 6
    assert second.cancelled() and writes.groups == [[1], [3]] and group.writing == 0
