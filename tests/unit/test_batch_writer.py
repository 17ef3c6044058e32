"""Background batches: threads hand items over without waiting; one thread writes them."""

from __future__ import annotations

import threading

import pytest

from genmedia.entrypoints.runtime.batch_writer import BatchWriter
from tests.waiting import WAIT, wait_until


class Store:
    """A write function that records what it wrote; it can be held, or refuse items."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.refused: set[int] = set()
        self.open = threading.Event()
        self.open.set()
        self.entered = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, items: list[int]) -> list[int]:
        self.entered.set()
        assert self.open.wait(WAIT)
        with self.lock:
            again = [i for i in items if i in self.refused]
            self.batches.append([i for i in items if i not in self.refused])
        return again

    def written(self) -> list[int]:
        with self.lock:
            return [i for batch in self.batches for i in batch]


def writing_first(item: int, max_batch: int = 64) -> tuple[Store, BatchWriter[int]]:
    """A running writer held in the middle of writing its first batch, `[item]`."""
    store = Store()
    store.open.clear()
    writer = BatchWriter(store, name="test-writer", max_batch=max_batch)
    writer.start()
    assert writer.put(item) is True
    assert store.entered.wait(WAIT)
    return store, writer


def test_put_returns_before_the_item_is_written_and_the_thread_writes_it_soon() -> None:
    store, writer = writing_first(1)
    assert store.written() == []
    store.open.set()
    wait_until(lambda: store.written() == [1])
    assert writer.stop() == []


def test_items_put_while_a_batch_is_written_go_together_in_the_next_batch_in_order() -> None:
    store, writer = writing_first(1)
    for item in (2, 3, 4):
        writer.put(item)
    store.open.set()
    assert writer.stop() == []
    assert store.batches == [[1], [2, 3, 4]]


def test_a_batch_holds_at_most_max_batch_items() -> None:
    store, writer = writing_first(0, max_batch=2)
    for item in range(1, 6):
        writer.put(item)
    store.open.set()
    writer.stop()
    assert store.batches == [[0], [1, 2], [3, 4], [5]]


def test_items_from_many_threads_are_all_written_exactly_once() -> None:
    store = Store()
    writer = BatchWriter(store, name="test-writer", max_batch=7)
    writer.start()
    threads = [
        threading.Thread(target=lambda base=base: [writer.put(base + i) for i in range(50)])
        for base in range(0, 400, 50)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert writer.stop() == []
    assert sorted(store.written()) == list(range(400))


def test_items_given_back_are_tried_again_first_after_the_pause() -> None:
    store = Store()
    store.refused = {2}
    writer = BatchWriter(store, name="test-writer", pause=0.01)
    writer.start()
    writer.put(1)
    writer.put(2)
    wait_until(lambda: len(store.batches) >= 3)
    writer.put(3)
    store.refused.clear()
    wait_until(lambda: 2 in store.written() and 3 in store.written())
    assert writer.stop() == []
    written = store.written()
    assert written.index(2) < written.index(3)
    assert sorted(written) == [1, 2, 3]


def test_a_write_that_raises_keeps_its_whole_batch_for_another_try() -> None:
    calls: list[list[int]] = []

    def flaky(items: list[int]) -> list[int]:
        calls.append(list(items))
        if len(calls) == 1:
            raise ConnectionError("database unreachable")
        return []

    writer = BatchWriter(flaky, name="test-writer", pause=0.01)
    writer.start()
    writer.put(5)
    wait_until(lambda: len(calls) == 2)
    assert writer.stop() == []
    assert calls == [[5], [5]]


def test_stop_writes_what_is_waiting_before_the_thread_ends() -> None:
    store, writer = writing_first(1)
    writer.put(2)
    threading.Timer(0.05, store.open.set).start()
    assert writer.stop() == []
    assert store.written() == [1, 2]


def test_stop_gives_up_after_its_tries_and_returns_the_items_never_written() -> None:
    store = Store()
    store.refused = {7}
    writer = BatchWriter(store, name="test-writer", pause=0.01)
    writer.start()
    writer.put(7)
    writer.put(8)
    assert writer.stop(tries=2) == [7]
    assert store.written() == [8]


def test_a_writer_not_running_refuses_items_so_the_caller_writes_them() -> None:
    store = Store()
    writer = BatchWriter(store, name="test-writer")
    assert writer.put(1) is False
    writer.start()
    writer.stop()
    assert writer.put(2) is False
    assert store.batches == []


def test_a_running_writer_cannot_be_started_twice() -> None:
    writer = BatchWriter(Store(), name="test-writer")
    writer.start()
    with pytest.raises(RuntimeError, match="already running"):
        writer.start()
    writer.stop()


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        BatchWriter(Store(), name="test-writer", max_batch=0)
