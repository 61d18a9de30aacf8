"""One idea once: near-duplicate solutions grouped on the demo world, and ``--no-group``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest

from graph_schema.interchange import import_dataset
from graph_schema.schema import Label
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.cli import main
from matchmaking.demo import write_dataset
from matchmaking.engine import Engine
from matchmaking.filtering import RecommendOptions
from matchmaking.grouping import normalised_name

UNGROUPED = RecommendOptions(group=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SQLiteStore, Engine]]:
    root = tmp_path_factory.mktemp("group")
    write_dataset(root / "data", "small", seed=42)
    store = SQLiteStore(root / "g.db")
    store.init()
    assert import_dataset(store, root / "data").ok
    yield store, Engine(store, background=False, persist=False)
    store.close()


def _cities(store: SQLiteStore, n: int = 12) -> list[str]:
    nodes, _ = store.find_nodes(Label.CITY, limit=100_000)
    ids = sorted(x.id for x in nodes)
    return ids[:: max(1, len(ids) // n)][:n]


def test_groups_are_one_category_and_one_normalised_name(demo: tuple) -> None:
    store, engine = demo
    snap = engine._snapshot()
    proj, groups = snap.proj, snap.solution_groups
    rows = proj.rows[Label.SOLUTION]
    offers = snap.explainer.solution_provider
    names = [normalised_name(proj.name(int(r)), [
        proj.name(int(proj.rows[Label.PROVIDER][p]))
        for p in offers.indices[offers.indptr[i]:offers.indptr[i + 1]]])
        for i, r in enumerate(rows.tolist())]
    cats = [proj.props[int(r)].get("category") for r in rows.tolist()]
    assert len(set(groups.tolist())) < rows.size  # the demo has near-duplicates
    for g in set(groups.tolist()):
        members = np.flatnonzero(groups == g)
        assert groups[g] == g  # the leader numbers its group
        assert len({cats[i] for i in members}) == 1
        assert len({names[i] for i in members}) == 1, [names[i] for i in members]
    # different normalised names never share a group
    by_name: dict[str, set[int]] = {}
    for i, n in enumerate(names):
        by_name.setdefault((n, cats[i]), set()).add(int(groups[i]))  # type: ignore[arg-type]
    assert all(len(v) == 1 for v in by_name.values())


def test_a_grouped_list_shows_k_distinct_ideas_and_loses_none_of_the_top(demo: tuple) -> None:
    store, engine = demo
    snap = engine._snapshot()
    group_of = {snap.proj.ids[int(r)]: int(snap.solution_groups[i])
                for i, r in enumerate(snap.proj.rows[Label.SOLUTION].tolist())}
    had_duplicates = 0
    for city in _cities(store):
        plain = engine.recommend("solutions", city, k=10, options=UNGROUPED)
        grouped = engine.recommend("solutions", city, k=10)
        assert all(not r.also_offered_by for r in plain)
        groups = [group_of[r.id] for r in grouped]
        assert len(set(groups)) == len(groups)  # k distinct ideas
        had_duplicates += len({group_of[r.id] for r in plain}) < len(plain)
        score = {r.id: r.score for r in engine.recommend("solutions", city, k=100,
                                                          options=UNGROUPED)}
        shown = {r.id for r in grouped} | {o.id for r in grouped for o in r.also_offered_by}
        # every offer of the ungrouped top 10 stands in the grouped list or under its best
        assert {r.id for r in plain} <= shown, city
        for r in grouped:
            assert r.score == score[r.id]
            for o in r.also_offered_by:  # the best offer stands; the others are eligible
                assert group_of[o.id] == group_of[r.id] and o.score <= r.score
                alone = engine.recommend("solutions", city, k=1, options=UNGROUPED,
                                         candidates=[o.id])
                assert [x.id for x in alone] == [o.id]
                assert o.score == pytest.approx(alone[0].score, abs=1e-6)
                assert o.providers and all(p[0].startswith("prov:") for p in o.providers)
        assert [r.score for r in grouped] == sorted((r.score for r in grouped), reverse=True)
    assert had_duplicates >= 3  # the premise: ungrouped lists repeat an idea


def test_no_group_in_the_cli(demo: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    store, engine = demo
    city = _cities(store)[0]

    def run(*extra: str) -> dict:
        main(["--store", store.url, "recommend", "solutions", city, "--format", "json",
              *extra])
        return json.loads(capsys.readouterr().out)

    grouped, plain = run(), run("--no-group")
    want = engine.recommend("solutions", city, k=10, options=UNGROUPED)
    assert [r["id"] for r in plain["results"]] == [r.id for r in want]
    assert not any("also_offered_by" in r for r in plain["results"])
    also = [r for r in grouped["results"] if "also_offered_by" in r]
    assert also and {"id", "name", "score", "providers"} == set(also[0]["also_offered_by"][0])
    main(["--store", store.url, "recommend", "solutions", city])
    table = capsys.readouterr().out
    assert "also offered by " in table
    main(["--store", store.url, "recommend", "solutions", city, "--no-group"])
    assert "also offered by" not in capsys.readouterr().out


def test_the_grouped_evaluation_row_counts_a_group_as_a_hit(demo: tuple) -> None:
    import scipy.sparse as sp

    from matchmaking.evaluation.grouped import grouped_lists
    from matchmaking.evaluation.tasks import Task
    from matchmaking.kinds import Kind
    from scoring.metrics import ndcg_at_k

    store, engine = demo
    city = next(c for c in _cities(store) if any(
        r.also_offered_by for r in engine.recommend("solutions", c, k=10)))
    recs = engine.recommend("solutions", city, k=10)
    top = next(r for r in recs if r.also_offered_by)
    member = top.also_offered_by[0].id  # held out: another offer of the same idea
    far = "sol:not-in-any-list"
    task = Task(Kind.SOLUTIONS, [city], [r.id for r in recs], sp.csr_array((1, len(recs))),
                {city: {member, far}})
    ranked, seen = grouped_lists(engine, task, [city], 10)
    assert ranked[city] == [r.id for r in recs]
    # the standing offer is the hit; the unknown solution is one relevant idea missed
    assert seen.relevant[city] == {top.id, f"group:{far}"}
    assert ndcg_at_k(ranked[city], seen.relevant[city], 10) > 0
    assert ndcg_at_k(ranked[city], task.relevant[city], 10) == 0  # ungrouped: no hit
