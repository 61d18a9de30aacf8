"""The evaluation worlds: the independent synthetic generator and its oracle, the pluggable
splits, evaluate() with an oracle, and the real EU data (skipped when absent)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from cli_run import run

from graph_schema.interchange import import_dataset
from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.evaluation import ENGINE, ORACLE, evaluate
from matchmaking.evaluation.split import LatestSplit, RandomSplit
from matchmaking.evaluation.synthetic import SyntheticWorld, generate_world
from matchmaking.evaluation.worlds import EU_ROOT, eu_available, eu_topic_dataset, is_urbact
from matchmaking.kinds import Kind


@pytest.fixture(scope="module")
def world() -> SyntheticWorld:
    return generate_world(seed=3, cities=80)


def test_generator_is_deterministic_per_seed(world: SyntheticWorld) -> None:
    again = generate_world(seed=3, cities=80)
    assert [n.to_json() for n in again.nodes] == [n.to_json() for n in world.nodes]
    assert [(r.key, r.props) for r in again.rels] == [(r.key, r.props) for r in world.rels]
    for kind, truth in world.truth.items():
        assert np.array_equal(truth.scores, again.truth[kind].scores), kind
    other = generate_world(seed=4, cities=80)
    assert [(r.key) for r in other.rels] != [(r.key) for r in world.rels]


def test_generated_world_imports_cleanly_with_every_positive_type(
        world: SyntheticWorld, tmp_path: Path) -> None:
    world.write(tmp_path / "data")
    store = SQLiteStore(tmp_path / "g.db")
    store.init()
    report = import_dataset(store, tmp_path / "data")
    assert report.ok, report.errors[:3]
    assert report.nodes_written == len(world.nodes) and report.rels_written == len(world.rels)
    store.close()
    types = {r.type for r in world.rels}
    for needed in (RelType.IMPLEMENTED, RelType.ADVISED, RelType.PARTNERS_WITH, RelType.OFFERS,
                   RelType.NEEDS, RelType.COVERS, RelType.EXPERT_IN, RelType.WORKS_FOR):
        assert needed in types, needed
    dated = [r for r in world.rels if r.type in (RelType.IMPLEMENTED, RelType.ADVISED)]
    assert all(isinstance(r.props.get("year"), int) for r in dated)  # the temporal split works
    assert all(r.props.get("provider") for r in dated if r.type is RelType.IMPLEMENTED)


def _auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    ranks = np.argsort(np.argsort(scores, kind="stable"), kind="stable") + 1.0
    pos = positive.sum()
    neg = positive.size - pos
    return float((ranks[positive].sum() - pos * (pos + 1) / 2) / (pos * neg))


@pytest.mark.parametrize(("kind", "rel", "subject_end"), [
    ("solutions", RelType.IMPLEMENTED, "src"),
    ("opportunities", RelType.ADVISED, "src"),
    ("peers", RelType.PARTNERS_WITH, "src"),
])
def test_oracle_ranks_the_generated_links_well_above_random(
        world: SyntheticWorld, kind: str, rel: RelType, subject_end: str) -> None:
    truth = world.truth[kind]
    positive = np.zeros(truth.scores.shape, dtype=bool)
    for r in world.rels:
        # the most recent links are what the default split holds out
        if r.type is rel and r.props.get("year", 2024) >= 2023:
            positive[truth.row[r.src], truth.col[r.dst]] = True
    subjects = positive.any(axis=1) if kind != "opportunities" else truth.scores.any(axis=1)
    assert positive.sum() >= 20
    auc = _auc(truth.scores[subjects].ravel(), positive[subjects].ravel())
    assert auc > 0.75, auc  # random is 0.5


def test_oracle_maps_candidates_by_id_and_unknowns_to_zero(world: SyntheticWorld) -> None:
    t = world.truth["providers"]
    subject = t.subjects[5]
    picked = [t.candidates[3], "nobody", t.candidates[0]]
    got = world.oracle("providers", subject, picked)
    assert got.tolist() == [t.scores[5, 3], 0.0, t.scores[5, 0]]
    assert not world.oracle("providers", "nobody", picked).any()


def _impl(c: int, s: int, year: int) -> Rel:
    return Rel(RelType.IMPLEMENTED, f"c{c}", f"s{s}", {"year": year})


def test_latest_split_holds_out_one_newest_eligible_link_per_subject() -> None:
    nodes = [Node(f"c{i}", Label.CITY, {"name": "x", "country": "FR"}) for i in range(3)]
    rels = [_impl(0, s, 2010 + s) for s in range(4)]  # c0: 4 links, newest s3
    rels += [_impl(1, 0, 2020), _impl(1, 1, 2021)]  # c1: 2 links, below min_links
    rels += [_impl(2, 5, 2024), *(_impl(2, s, 2015) for s in range(3))]  # c2: s5 not eligible
    split = LatestSplit(min_links=3, eligible=lambda r: r.dst != "s5")(nodes, rels, 0)
    held = {(r.src, r.dst) for r in split.test}
    # c0 loses its newest link, c1 nothing, c2 one of its three eligible links of 2015
    assert len(held) == 2 and ("c0", "s3") in held
    assert len(held & {("c2", "s0"), ("c2", "s1"), ("c2", "s2")}) == 1
    assert sorted(map(repr, split.train + split.test)) == sorted(map(repr, rels))
    assert split.temporal and not split.cold_cities


def test_random_split_is_deterministic_and_keeps_other_links() -> None:
    rels = [_impl(c, s, 2020) for c in range(20) for s in range(10)]
    rels.append(Rel(RelType.NEEDS, "c0", "t0", {}))
    a = RandomSplit(0.2)([], rels, 5)
    b = RandomSplit(0.2)([], rels, 5)
    assert [r.key for r in a.test] == [r.key for r in b.test]
    assert 20 <= len(a.test) <= 60  # 20% of 200, give or take
    assert all(r.type is RelType.IMPLEMENTED for r in a.test)
    assert sorted(map(repr, a.train + a.test)) == sorted(map(repr, rels))


def test_evaluate_with_a_latest_split_and_the_oracle(tmp_path: Path) -> None:
    small = generate_world(seed=5, cities=40)
    small.write(tmp_path / "data")
    store = SQLiteStore(tmp_path / "g.db")
    store.init()
    assert import_dataset(store, tmp_path / "data").ok
    result = evaluate(store, [Kind.SOLUTIONS, Kind.OPPORTUNITIES], max_cases=30,
                      split=LatestSplit(min_links=2), oracle=small.oracle, random_state=0)
    store.close()
    assert result.info["split"] == LatestSplit(min_links=2).name
    for kind in ("solutions", "opportunities"):
        methods = {r.method: r for r in result.rows if r.kind == kind and r.slice == "all"}
        assert {ENGINE, ORACLE, "popularity", "content"} <= set(methods)
        ratios = result.ratios(kind)
        assert ratios is not None
        best, vs_best, vs_oracle = ratios
        assert best not in (ENGINE, ORACLE)
        assert vs_best == pytest.approx(methods[ENGINE].ndcg / methods[best].ndcg)
        assert vs_oracle == pytest.approx(methods[ENGINE].ndcg / methods[ORACLE].ndcg)
        assert methods[ORACLE].ndcg > methods["popularity"].ndcg * 0.5
    held = {(r.src, r.dst) for r in LatestSplit(min_links=2)(
        small.nodes, small.rels, 0).test if r.type is RelType.IMPLEMENTED}
    cases = next(r for r in result.rows if r.kind == "solutions" and r.method == ENGINE).cases
    assert cases == min(30, len({c for c, _ in held}))


#: The real EU data is optional and never copied into the repository; with the
#: eu-city-cooperation folder where EU_ROOT points (beside the checkout) these tests run.
needs_eu = pytest.mark.skipif(
    not eu_available(), reason=f"optional real EU data absent: put the eu-city-cooperation "
    f"folder (interchange/ and urbact/) at {EU_ROOT} to run this test")


@needs_eu
def test_topic_enriched_eu_graph_imports_and_recommends_solutions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graph_schema.interchange import iter_dataset_nodes, iter_dataset_rels, write_dataset

    counts = eu_topic_dataset(EU_ROOT, tmp_path / "eu")
    assert counts.rels["NEEDS"] > 100  # cities' good-practice key words
    full = SQLiteStore(tmp_path / "full.db")
    full.init()
    assert import_dataset(full, tmp_path / "eu").ok
    with gzip.open(EU_ROOT / "interchange" / "relationships.jsonl.gz", "rt") as f:
        given = {(o["from"], o["to"]) for o in map(json.loads, f) if o["type"] == "COVERS"}
    covers = {(r.src, r.dst) for r in iter_dataset_rels(full) if r.type is RelType.COVERS}
    assert given and given <= covers
    # the graph of the issue: topics, and each city's latest URBACT membership held out
    split = LatestSplit(min_links=3, eligible=is_urbact)(
        list(iter_dataset_nodes(full)), list(iter_dataset_rels(full)), 0)
    full.close()
    assert len(split.test) == 175
    write_dataset(tmp_path / "train", split.nodes, split.train)
    url = f"sqlite:///{tmp_path / 'train.db'}"
    out, err = _run_cli(capsys, url, ["import", str(tmp_path / "train")],
                        ["recommend", "solutions", split.test[0].src, "--k", "5"])
    assert out.splitlines()[0] == f"solutions for {split.test[0].src}"
    assert len([line for line in out.splitlines() if "urbact:" in line or "etmun:" in line]) \
        == 5


def test_cli_evaluate_takes_a_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:

    generate_world(seed=2, cities=40).write(tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'g.db'}"
    out, err = _run_cli(capsys, url, ["import", str(tmp_path / "data")],
                        ["evaluate", "--kinds", "peers", "--split", "random", "--max-cases", "10"])
    assert "split (random 20% of links)" in err
    assert "### peers:" in out and "| hybrid |" in out


def _run_cli(capsys: pytest.CaptureFixture[str], url: str,
             *commands: list[str]) -> tuple[str, str]:
    """Run CLI commands on one store, each asserted to exit 0; the last one's output."""
    out = err = ""
    for args in commands:
        code, out, err = run(capsys, "--store", url, *args)
        assert code == 0, err
    return out, err
