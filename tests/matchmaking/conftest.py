"""Fixtures of the engine tests: the checkerboard graph (see board_fixture.py) in a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from board_fixture import write_checkerboard

from graph_schema.sqlite_store import SQLiteStore
from matchmaking.engine import Engine


@pytest.fixture
def board_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "board.db")
    store.init()
    write_checkerboard(store)
    yield store
    store.close()


@pytest.fixture
def engine(board_store: SQLiteStore) -> Engine:
    return Engine(board_store, background=False)
