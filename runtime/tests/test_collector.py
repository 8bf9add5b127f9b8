"""The collector tuning every APEX process applies once it has started."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from apex_runtime.collector import THRESHOLDS, freeze_startup_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.mark.usefixtures("restored_collector")
def test_what_start_up_built_is_frozen_and_its_garbage_is_not() -> None:
    kept = [Node() for _ in range(100)]
    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage  # start-up's garbage: a cycle nothing refers to
    before = gc.get_freeze_count()
    freeze_startup_heap()
    assert gone() is None  # collected, not frozen
    assert gc.get_freeze_count() - before >= len(kept)
    assert gc.get_threshold() == THRESHOLDS


@pytest.mark.usefixtures("restored_collector")
def test_garbage_made_after_the_freeze_is_still_collected() -> None:
    freeze_startup_heap()
    for _ in range(100):
        Node()
    assert gc.collect() >= 100
