"""Persisted projection and weights (``matchmaking.persist``): a new engine on an unchanged
store loads instead of rebuilding and refitting; a changed store, another store, another
code version or an altered file never gets stale or foreign state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import matchmaking.engine as engine_mod
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from matchmaking import persist
from matchmaking.cli import main
from matchmaking.engine import KINDS, Engine
from matchmaking.projection import Projection

KIND_SUBJECT = {"solutions": "city:a0", "providers": "city:a0", "peers": "city:a0",
                "experts": "city:a0", "opportunities": "member:ea", "leads": "prov:pa"}


def _results(engine: Engine) -> dict[str, list[tuple[str, float]]]:
    return {kind: [(r.id, r.score) for r in engine.recommend(kind, s, k=5)]
            for kind, s in KIND_SUBJECT.items()}


class Calls:
    """Counts projection builds and fits, by wrapping the engine's collaborators."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.builds = 0
        self.fits: list[str] = []
        real_build, real_fit = Projection.from_store.__func__, engine_mod.fit_kind  # type: ignore[attr-defined]

        def build(cls: type[Projection], store: Any) -> Projection:
            self.builds += 1
            return real_build(cls, store)  # type: ignore[no-any-return]

        def fit(proj: Projection, kind: str, **kw: Any) -> Any:
            self.fits.append(kind)
            return real_fit(proj, kind, **kw)

        monkeypatch.setattr(Projection, "from_store", classmethod(build))
        monkeypatch.setattr(engine_mod, "fit_kind", fit)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    return Calls(monkeypatch)


def test_a_new_engine_on_an_unchanged_store_loads(board_store: SQLiteStore,
                                                  calls: Calls) -> None:
    first = _results(Engine(board_store, background=False))
    assert calls.builds == 1 and sorted(calls.fits) == sorted(KINDS)
    folder = Path(board_store.path + ".cache")
    assert {p.name for p in folder.iterdir()} == {"snapshot.bin", "models.json"}
    calls.fits.clear()
    again = _results(Engine(board_store, background=False))
    assert again == first
    assert calls.builds == 1 and calls.fits == []  # loaded: no build, no fit


def test_a_changed_store_rebuilds_and_reuses_weights_across_small_changes(
        board_store: SQLiteStore, calls: Calls) -> None:
    e1 = Engine(board_store, background=False)
    w1 = {kind: e1.model(kind).weights for kind in KINDS}
    calls.fits.clear()
    # a new city without links: no kind's positives change
    board_store.write([Node("city:new", Label.CITY, {"name": "Newtown", "country": "DK"})])
    e2 = Engine(board_store, background=False)
    assert [r.id for r in e2.recommend("solutions", "city:new", k=3)]
    assert calls.builds == 2
    assert {kind: e2.model(kind).weights for kind in KINDS} == w1
    assert calls.fits == []


def test_positives_changing_by_more_than_the_share_refit(board_store: SQLiteStore,
                                                          calls: Calls) -> None:
    e1 = Engine(board_store, background=False)
    e1.model("solutions")
    before = persist.positive_counts(e1._snapshot().proj)["solutions"]
    sols = [n.id for n in board_store.iter_nodes(Label.SOLUTION)]
    cities = [n.id for n in board_store.iter_nodes(Label.CITY)]
    have = {(r.src, r.dst) for r in board_store.iter_rels(RelType.IMPLEMENTED)}
    extra = [Rel(RelType.IMPLEMENTED, c, s) for c in cities for s in sols
             if (c, s) not in have][: int(before * persist.REFIT_CHANGE) + 1]
    board_store.write(rels=extra)
    calls.fits.clear()
    e2 = Engine(board_store, background=False)
    e2.model("solutions")
    assert calls.fits == ["solutions"]


def test_fit_command_refits_every_kind_and_saves(
        board_store: SQLiteStore, calls: Calls, capsys: pytest.CaptureFixture[str]) -> None:
    Engine(board_store, background=False).model("solutions")
    calls.fits.clear()
    main(["--store", board_store.url, "fit"])  # returns: no SystemExit on success
    out = capsys.readouterr().out
    assert sorted(calls.fits) == sorted(KINDS)
    assert out.splitlines()[-1].startswith(f"fitted {len(KINDS)} kinds in ")
    doc = json.loads((Path(board_store.path + ".cache") / "models.json").read_text())
    assert set(doc["kinds"]) == set(KINDS)
    calls.fits.clear()
    e = Engine(board_store, background=False)
    assert [e.model(k).kind for k in KINDS] == list(KINDS) and calls.fits == []


def _snapshot_file(store: SQLiteStore) -> Path:
    return Path(store.path + ".cache") / "snapshot.bin"


def test_an_altered_snapshot_is_never_unpickled(board_store: SQLiteStore, calls: Calls,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = _results(Engine(board_store, background=False))
    path = _snapshot_file(board_store)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))

    def refuse(_: bytes) -> None:
        raise AssertionError("unpickled a payload whose HMAC does not match")

    monkeypatch.setattr(persist.pickle, "loads", refuse)
    assert persist.load_snapshot(board_store) is None
    assert _results(Engine(board_store, background=False)) == first
    assert calls.builds == 2


@pytest.mark.parametrize("field,value", [("format", 99), ("code", "0" * 64),
                                         ("generation", -1), ("instance", "another")])
def test_a_header_that_does_not_match_is_ignored(board_store: SQLiteStore, field: str,
                                                 value: Any) -> None:
    Engine(board_store, background=False)._snapshot()
    path = _snapshot_file(board_store)
    head, _, payload = path.read_bytes().partition(b"\n")
    header = json.loads(head)
    assert persist.load_snapshot(board_store) is not None
    header[field] = value
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)
    assert persist.load_snapshot(board_store) is None


def test_a_store_made_again_at_the_same_generation_is_not_confused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"

    def make(name: str) -> SQLiteStore:
        store = SQLiteStore(db)
        store.write([Node("city:x", Label.CITY, {"name": name, "country": "DK"}),
                     Node("city:y", Label.CITY, {"name": "Y", "country": "DK"})])
        return store

    s1 = make("First")
    Engine(s1, background=False)._snapshot()
    gen = s1.generation()
    s1.close()
    db.unlink()
    s2 = make("Second")
    assert s2.generation() == gen
    assert persist.load_snapshot(s2) is None
    assert Engine(s2, background=False)._snapshot().proj.name(
        Engine(s2, background=False)._snapshot().proj.index["city:x"]) == "Second"


def test_cache_off(board_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHMAKING_CACHE", "off")
    Engine(board_store, background=False).model("solutions")
    assert not Path(board_store.path + ".cache").exists()


def test_neo4j_cache_folder_is_keyed_by_uri_and_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Fake:
        def __init__(self, url: str, database: str) -> None:
            self.url, self.database = url, database

    monkeypatch.setenv("MATCHMAKING_CACHE_DIR", str(tmp_path))
    a = persist.cache_dir(Fake("bolt://h:7687", "neo4j"))  # type: ignore[arg-type]
    b = persist.cache_dir(Fake("bolt://h:7687", "other"))  # type: ignore[arg-type]
    c = persist.cache_dir(Fake("bolt://g:7687", "neo4j"))  # type: ignore[arg-type]
    assert a is not None and a.parent == tmp_path and len({a, b, c}) == 3


class Holder:
    """An object with locks, as an engine snapshot may have."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.rlock = threading.RLock()
        self.data = [1, 2, 3]


def test_locks_are_persisted_as_new_locks(board_store: SQLiteStore) -> None:
    obj = Holder()
    obj.lock.acquire()  # a held lock comes back unlocked
    assert persist.save_snapshot(board_store, board_store.generation(), obj) is not None
    back = persist.load_snapshot(board_store)
    assert back.data == [1, 2, 3]
    assert back.lock.acquire(blocking=False) and back.rlock.acquire(blocking=False)


def test_serving_from_a_warm_cache_never_imports_scikit_learn(board_store: SQLiteStore) -> None:
    """A fresh process that loads the persisted projection, feature space and weights scores
    every kind with numpy and scipy only: scikit-learn (about 1 s of imports) is for building
    the feature space (TF-IDF) and fitting, never for serving."""
    before = _results(Engine(board_store, background=False))  # builds, fits and persists
    assert all(before.values())
    code = ("import json, sys\n"
            "from matchmaking.cli import main\n"
            f"for kind, subject in {KIND_SUBJECT!r}.items():\n"
            f"    main(['--store', 'sqlite:///{board_store.path}', 'recommend', kind, subject,\n"
            "          '--k', '5', '--format', 'json'])\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'\n"
            "                        or m in ('scoring.text', 'scoring.combiner'))))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "MATCHMAKING_DEBUG": "1"})
    assert proc.returncode == 0, proc.stderr
    *outputs, loaded = proc.stdout.strip().rsplit("\n", 1)
    assert json.loads(loaded) == [], loaded
    decoder, text, got = json.JSONDecoder(), outputs[0], []
    while text.strip():
        doc, end = decoder.raw_decode(text.strip())
        got.append([(r["id"], r["score"]) for r in doc["results"]])
        text = text.strip()[end:]
    assert got == [[(i, round(s, 6)) for i, s in xs] for xs in before.values()]
