"""Group commit: threads' items written in batches, each thread getting its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from genmedia.entrypoints.runtime.group_commit import GroupCommit
from tests.waiting import WAIT, wait_until


class Writes:
    """A write function that records its batches; the first batch can be held open."""

    def __init__(self, hold_first: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold_first:
            self.release.set()

    def __call__(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        self.entered.set()
        assert self.release.wait(WAIT)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


def in_threads(submit: Callable[[int], object], items: list[int]) -> dict[int, object]:
    outcomes: dict[int, object] = {}

    def one(item: int) -> None:
        try:
            outcomes[item] = submit(item)
        except BaseException as error:
            outcomes[item] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    return outcomes


def test_a_lone_item_is_written_at_once_in_a_batch_of_its_own() -> None:
    writes = Writes()
    assert GroupCommit(writes).submit(4) == 40
    assert writes.batches == [[4]]


def test_items_arriving_while_a_batch_is_written_go_together_in_the_next_one() -> None:
    writes = Writes(hold_first=True)
    group = GroupCommit(writes)
    first = threading.Thread(target=group.submit, args=(0,))
    first.start()
    assert writes.entered.wait(WAIT)
    later: dict[int, object] = {}
    rest = threading.Thread(target=lambda: later.update(in_threads(group.submit, [2, 4, 6])))
    rest.start()
    wait_until(lambda: len(group._waiting) == 3)
    writes.release.set()
    first.join(WAIT)
    rest.join(WAIT)
    assert writes.batches[0] == [0]
    assert sorted(writes.batches[1]) == [2, 4, 6]
    assert later == {2: 20, 4: 40, 6: 60}


def test_each_thread_gets_its_own_result_or_its_own_error() -> None:
    outcomes = in_threads(GroupCommit(Writes()).submit, list(range(12)))
    for item in range(12):
        if item % 2:
            assert isinstance(outcomes[item], ValueError)
            assert str(outcomes[item]) == f"odd {item}"
        else:
            assert outcomes[item] == item * 10


def test_a_failing_write_fails_every_item_of_its_batch() -> None:
    def broken(items: list[int]) -> list[int]:
        raise ConnectionError("database gone")

    outcomes = in_threads(GroupCommit(broken).submit, [1, 2, 3])
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes.values())


def test_a_write_returning_the_wrong_number_of_results_fails_its_batch() -> None:
    group: GroupCommit[int, int] = GroupCommit(lambda items: [1, 2, 3])
    with pytest.raises(RuntimeError, match="3 results for a batch of 1"):
        group.submit(1)


def test_batches_never_exceed_the_maximum_size() -> None:
    writes = Writes(hold_first=True)
    group = GroupCommit(writes, max_batch=3)
    first = threading.Thread(target=group.submit, args=(0,))
    first.start()
    assert writes.entered.wait(WAIT)
    rest = threading.Thread(target=in_threads, args=(group.submit, [2, 4, 6, 8, 10, 12, 14]))
    rest.start()
    wait_until(lambda: len(group._waiting) == 7)
    writes.release.set()
    rest.join(WAIT)
    first.join(WAIT)
    assert max(len(batch) for batch in writes.batches) == 3
    assert sorted(i for batch in writes.batches for i in batch) == [0, 2, 4, 6, 8, 10, 12, 14]


def test_a_maximum_batch_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupCommit(Writes(), max_batch=0)


class Interrupted(BaseException):
    """Like an interrupt Dramatiq raises in a worker thread: not an Exception."""


def test_an_interrupted_writer_leaves_no_thread_waiting() -> None:
    writes = Writes(hold_first=True)
    calls: list[list[int]] = []

    def interrupted(items: list[int]) -> list[int | BaseException]:
        calls.append(items)
        if len(calls) == 1:
            writes(items)
            raise Interrupted
        return writes(items)

    group = GroupCommit(interrupted)
    leader: dict[int, object] = {}
    first = threading.Thread(target=lambda: leader.update(in_threads(group.submit, [0])))
    first.start()
    assert writes.entered.wait(WAIT)
    later: dict[int, object] = {}
    rest = threading.Thread(target=lambda: later.update(in_threads(group.submit, [2, 4])))
    rest.start()
    wait_until(lambda: len(group._waiting) == 2)
    writes.release.set()
    first.join(WAIT)
    rest.join(WAIT)
    assert not first.is_alive()
    assert not rest.is_alive()
    assert isinstance(leader[0], Interrupted)
    assert later == {2: 20, 4: 40}
