"""The engine's snapshot and the cyclic garbage collector: a loaded snapshot is frozen out of
the collector's scans (no request pays for a full collection over it), and a snapshot that a
rebuild replaced is freed, not kept frozen."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from graph_schema.schema import Label, Node
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.engine import Engine


@pytest.fixture(autouse=True)
def _unfreeze_after() -> Iterator[None]:
    yield
    gc.unfreeze()  # leave the test process as it was


@pytest.mark.parametrize("persist", [True, False])
def test_a_loaded_snapshot_is_frozen_and_a_replaced_one_freed(board_store: SQLiteStore,
                                                              persist: bool) -> None:
    gc.unfreeze()
    engine = Engine(board_store, background=False, persist=persist)
    assert engine.recommend("solutions", "city:a0", k=3)
    assert gc.isenabled()  # paused only while loading
    assert gc.get_freeze_count() > 0
    first = weakref.ref(engine._snap)  # type: ignore[arg-type]
    assert first() is not None

    board_store.write(nodes=[Node("topic:new", Label.TOPIC, {"name": "Brand new"})])
    engine.refresh(force=True)
    assert engine._snap is not None and engine._snap is not first()
    assert first() is None  # freed by the rebuild (not pinned by the freeze)
    assert gc.get_freeze_count() > 0  # and the new snapshot is frozen in its place
    assert engine.recommend("solutions", "city:a0", k=3)


def test_a_snapshot_still_in_use_is_not_pinned(board_store: SQLiteStore) -> None:
    gc.unfreeze()
    engine = Engine(board_store, background=False, persist=False)
    engine.recommend("solutions", "city:a0", k=3)
    in_flight = engine._snap  # a request still answering from the old snapshot
    board_store.write(nodes=[Node("topic:new", Label.TOPIC, {"name": "Brand new"})])
    engine.refresh(force=True)
    assert engine._snap is not in_flight
    assert gc.get_freeze_count() == 0  # nothing frozen while the old snapshot is held
    ref = weakref.ref(in_flight)  # type: ignore[arg-type]
    del in_flight
    gc.collect()
    assert ref() is None
