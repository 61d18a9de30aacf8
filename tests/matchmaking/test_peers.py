"""Peers beyond the same country (issue 8): never a part of the city itself, on each store;
country a learned feature; the spot check on the small demo; ``part_of`` through the
service."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph_schema.errors import InvalidInput
from graph_schema.interchange import import_dataset
from graph_schema.schema import Label
from graph_schema.store import GraphStore
from matchmaking.demo import write_dataset
from matchmaking.engine import Engine
from matchmaking.kinds import KINDS, Kind
from matchmaking.kinds.peers import near_km
from matchmaking.service import Service
from matchmaking.training import PRIOR_SHARE

#: Reasons that name shared needs, KPIs, partners or implementations (the spot check).
TELLING = ("Shares your needs", "Lags on the same KPIs", "Partners with",
           "Already implemented", "Implemented the same solutions", "Has advisers in common")


def city(cid: str, country: str = "AT", **props: Any) -> dict[str, Any]:
    return {"id": cid, "label": "City", "name": cid.split(":")[1].title(), "country": country,
            **props}


def write(path: Path, nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "nodes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in nodes))
    (path / "relationships.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rels))
    return path


def test_service_checks_part_of(store: GraphStore) -> None:
    svc = Service(store)
    from graph_schema.schema import Label

    svc.create(Label.CITY, "city:vienna", {"name": "Vienna", "country": "AT"})
    svc.create(Label.CITY, "city:hietzing", {"name": "Hietzing", "country": "AT",
                                             "part_of": "city:vienna"})
    with pytest.raises(InvalidInput, match="no node of the dataset or the store"):
        svc.create(Label.CITY, "city:x", {"name": "X", "country": "AT", "part_of": "city:no"})
    with pytest.raises(InvalidInput, match="cycle: city:vienna -> city:hietzing"):
        svc.update(Label.CITY, "city:vienna", {"part_of": "city:hietzing"})
    with pytest.raises(InvalidInput, match="names the city itself"):
        svc.update(Label.CITY, "city:vienna", {"part_of": "city:vienna"})


def test_peers_never_include_parts_of_the_city(store: GraphStore, tmp_path: Path) -> None:
    """Through the engine on each store: a district, the city it belongs to, a sibling
    district and a place within the urban radius are never peers; a far city is."""
    need = {"type": "NEEDS", "to": "topic:t", "urgency": 1.0}
    at = {"lat": 48.2, "lon": 16.37}
    nodes = [
        {"id": "topic:t", "label": "Topic", "name": "T"},
        city("city:vienna", population=1_900_000, **at),
        city("city:hietzing", population=50_000, part_of="city:vienna"),  # no coordinates
        city("city:favoriten", population=200_000, part_of="city:vienna"),
        city("city:schwechat", population=20_000, lat=48.14, lon=16.47),  # 10 km away
        city("city:graz", population=290_000, lat=47.07, lon=15.44),
        city("city:linz", population=200_000, lat=48.31, lon=14.29),
    ]
    rels = [{**need, "from": n["id"]} for n in nodes if n["label"] == "City"]
    assert import_dataset(store, write(tmp_path / "d", nodes, rels)).ok
    engine = Engine(store, background=False, persist=False)
    peers = {c: [r.id for r in engine.recommend(Kind.PEERS, c, k=10)]
             for c in ("city:vienna", "city:hietzing", "city:graz")}
    engine.close()
    assert set(peers["city:vienna"]) == {"city:graz", "city:linz"}
    assert set(peers["city:hietzing"]) == {"city:schwechat", "city:graz", "city:linz"}
    assert set(peers["city:graz"]) == {"city:vienna", "city:hietzing", "city:favoriten",
                                       "city:schwechat", "city:linz"}


def test_country_and_region_are_features_not_a_bonus() -> None:
    spec = KINDS[Kind.PEERS]
    assert {"country", "region", "kpi", "partners", "advisers"} <= set(spec.features)
    assert "geo" not in spec.features  # no flat same-country-or-region component
    assert spec.default_weights["country"] < spec.default_weights["need"]


def _world(path: Path, same_country: bool) -> Path:
    """60 cities in 4 countries with two needs each; partners are the two most need-similar
    cities anywhere (``same_country=False``) or two random cities of the same country."""
    rng = np.random.default_rng(5)
    countries = ["AT", "DE", "FR", "IT"]
    needs = [rng.choice(8, size=2, replace=False) for _ in range(60)]
    nodes: list[dict[str, Any]] = [{"id": f"topic:t{t}", "label": "Topic", "name": f"T{t}"}
                                   for t in range(8)]
    nodes += [city(f"city:c{i}", countries[i % 4], population=int(rng.integers(1e4, 1e6)))
              for i in range(60)]
    rels = [{"type": "NEEDS", "from": f"city:c{i}", "to": f"topic:t{t}", "urgency": 1.0}
            for i in range(60) for t in needs[i]]
    vec = np.zeros((60, 8))
    for i in range(60):
        vec[i, needs[i]] = 1.0
    sim = vec @ vec.T + rng.random((60, 60)) * 0.1
    pairs = set()
    for i in range(60):
        if same_country:
            others = [j for j in range(60) if j != i and j % 4 == i % 4]
            picks = rng.choice(others, size=2, replace=False)
        else:
            s = sim[i].copy()
            s[i] = -1
            s[[j for j in range(60) if j % 4 == i % 4]] -= 0.05  # a little more abroad
            picks = np.argsort(-s)[:2]
        pairs |= {(min(i, int(j)), max(i, int(j))) for j in picks}
    rels += [{"type": "PARTNERS_WITH", "from": f"city:c{a}", "to": f"city:c{b}"}
             for a, b in sorted(pairs)]
    return write(path, nodes, rels)


def _country_weight(store: GraphStore, data: Path) -> dict[str, float]:
    assert import_dataset(store, data).ok
    engine = Engine(store, background=False, persist=False).fit()
    model = engine.model(Kind.PEERS)
    engine.close()
    assert model.learned, model.fallback
    return model.weights


@pytest.mark.parametrize("same_country", [False, True])
def test_country_weight_is_learned_from_the_partnerships(
        tmp_path: Path, same_country: bool, request: pytest.FixtureRequest) -> None:
    store: GraphStore = request.getfixturevalue("sqlite_store")
    w = _country_weight(store, _world(tmp_path / "d", same_country))
    prior = PRIOR_SHARE * KINDS[Kind.PEERS].default_weights["country"]
    if same_country:  # partnerships follow the country: it carries most of the score
        assert w["country"] > 0.3 and w["country"] > w["need"]
    else:  # partnerships follow needs across borders: country keeps only its prior share
        assert w["country"] == pytest.approx(prior, abs=1e-6)
        assert w["need"] > 0.2 and w["need"] > 10 * w["country"], w


# ----------------------------------------------------------------------------- spot check
@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from graph_schema.sqlite_store import SQLiteStore

    tmp = tmp_path_factory.mktemp("small")
    write_dataset(tmp, scale="small", seed=42)
    store = SQLiteStore(tmp / "g.db")
    store.init()
    assert import_dataset(store, tmp).ok
    engine = Engine(store, background=False, persist=False).fit()
    yield engine
    engine.close()
    store.close()


def test_spot_check_top_peers_of_the_20_largest_cities(small_engine: Engine) -> None:
    """The spot check of issue 8 on the small demo (benchmarks/peers_spot_check.py runs it at
    bsc): no top peer is part of the city's own place, checked on the data (top city of the
    ``part_of`` chain, or within the urban radius of the larger city), and nearly every peer
    has a reason naming shared needs, KPIs, partners or implementations. Not every one: the
    explainer shows the three reasons that set a candidate apart in its list, and a peer
    ranked for its country and size is explained by them (docs/evaluation.md, spot check)."""
    proj = small_engine.projection
    cities = [int(r) for r in proj.rows[Label.CITY]]
    largest = sorted(cities, key=lambda r: -proj.population[r])[:20]

    def top(r: int) -> int:
        while (up := proj.props[r].get("part_of")) is not None:
            r = proj.index[up]
        return r

    def km(a: int, b: int) -> float:
        pa, pb = proj.props[a], proj.props[b]
        la, lb = math.radians(pa["lat"]), math.radians(pb["lat"])
        h = (math.sin((lb - la) / 2) ** 2 + math.cos(la) * math.cos(lb)
             * math.sin(math.radians(pb["lon"] - pa["lon"]) / 2) ** 2)
        return 2 * 6371.0 * math.asin(math.sqrt(h))

    parts_in_data = sum(1 for r in cities if proj.props[r].get("part_of"))
    assert parts_in_data > 0  # the small demo has districts: the check can fail
    telling = []
    for s in largest:
        recs = small_engine.recommend(Kind.PEERS, proj.ids[s], k=5)
        assert len(recs) == 5
        for rec in recs:
            c = proj.index[rec.id]
            reach = near_km(np.array([max(proj.population[s], proj.population[c])]))[0]
            assert top(c) != top(s), (proj.ids[s], rec.id)
            assert km(s, c) >= reach, (proj.ids[s], rec.id)
            telling.append(any(r.startswith(TELLING) for r in rec.reasons))
    assert np.mean(telling) >= 0.9, np.mean(telling)
