"""Turn a :class:`~matchmaking.demo.world.World` into typed nodes and relationships (with text).

The properties of each node and relationship are built in a fixed, readable order (name
first, description last), which is the order the demo's files keep.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from graph_schema import reference
from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.demo import names as nm
from matchmaking.demo.catalogue import NOISE_SENTENCES, REGIONS, STRATEGY_OPENERS, TOPICS
from matchmaking.demo.event import event_nodes, event_relationships
from matchmaking.demo.world import (
    COSTS,
    MATURITIES,
    MEMBER_KINDS,
    PROVIDER_KINDS,
    World,
    country_languages,
)

REGION_NAMES: dict[str, str] = {
    "EU": "Europe",
    "NA": "North and Central America",
    "SA": "South America",
    "AS": "Asia",
    "AF": "Africa",
    "OC": "Oceania",
}
_KIND_WORDS: dict[str, str] = {
    "company": "technology company",
    "startup": "startup",
    "research": "research institute",
    "ngo": "non-profit",
    "public": "public agency",
}


def _country_name(code: str) -> str:
    info = reference.country(code)
    name = str(info["name"]) if info else code
    if name.startswith(("United ", "Republic ")) or name in _WITH_ARTICLE:
        return f"the {name}"
    return name


_WITH_ARTICLE = frozenset(
    {
        "Netherlands",
        "Philippines",
        "Czech Republic",
        "Dominican Republic",
        "Central African Republic",
        "Gambia",
        "Bahamas",
    }
)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pick(rng: np.random.Generator, seq: tuple[str, ...] | list[str]) -> str:
    return seq[int(rng.integers(len(seq)))]


def _words(rng: np.random.Generator, topic: int, k: int) -> list[str]:
    words = TOPICS[topic].words
    idx = rng.choice(len(words), size=min(k, len(words)), replace=False)
    return [words[int(i)] for i in sorted(idx)]


def _size_word(pop: int) -> str:
    if pop >= 1_000_000:
        return "large metropolitan"
    if pop >= 300_000:
        return "large"
    if pop >= 100_000:
        return "medium-sized"
    if pop >= 40_000:
        return "small"
    return "small"


def _languages(rng: np.random.Generator, country: str, p_en: float) -> list[str]:
    langs = list(country_languages(country))
    if "en" not in langs and rng.random() < p_en:
        langs.append("en")
    return langs


def iter_nodes(world: World) -> Iterator[Node]:
    """Yield every node of the world: topics, cities, providers, solutions, members."""
    rng = world.text_rng()
    for t in TOPICS:
        yield Node(f"topic:{t.slug}", Label.TOPIC, {
            "name": t.name,
            "category": t.category,
            "description": f"{t.name}: {', '.join(t.words)}.",
        })
    yield from _city_nodes(world, rng)
    yield from _provider_nodes(world, rng)
    yield from _solution_nodes(world, rng)
    yield from _member_nodes(world, rng)
    yield from event_nodes(world)


def _city_nodes(world: World, rng: np.random.Generator) -> Iterator[Node]:
    for i, cid in enumerate(world.city_id):
        needs = np.flatnonzero(world.urgency[i] > 0)
        needs = needs[np.argsort(-world.urgency[i, needs], kind="stable")].tolist()
        pop = int(world.city_pop[i])
        cc = world.city_country[i]
        name = world.city_name[i]
        top = needs[:3]
        text = [
            f"{name} is a {_size_word(pop)} city in {_country_name(cc)} with about "
            f"{pop:,} inhabitants.",
            f"{_pick(rng, STRATEGY_OPENERS)} {_join([TOPICS[t].name.lower() for t in top])}.",
        ]
        if needs:
            ch = [TOPICS[t].challenge for t in needs[:2]]
            text.append(f"Key challenges include {'; '.join(ch)}.")
            goals = [TOPICS[t].goal for t in needs[:2]]
            text.append(f"The city wants to {' and to '.join(goals)}.")
        if len(needs) > 3:
            words = [w for t in needs[3:5] for w in _words(rng, t, 2)]
            text.append(f"Further priorities are {_join(words)}.")
        yield Node(cid, Label.CITY, {
            "name": name,
            "country": cc,
            "population": pop,
            "lat": round(float(world.city_lat[i]), 5),
            "lon": round(float(world.city_lon[i]), 5),
            "languages": list(world.city_languages[i]),
            "budget_eur": int(world.city_budget[i]),
            "description": " ".join(text),
            **({"part_of": world.city_id[world.city_part_of[i]]}
               if world.city_part_of[i] >= 0 else {}),
        })


def _provider_nodes(world: World, rng: np.random.Generator) -> Iterator[Node]:
    for p, pid in enumerate(world.prov_id):
        kind = PROVIDER_KINDS[world.prov_kind[p]]
        cc = world.prov_country[p]
        topics = world.prov_topics[p]
        region = REGION_NAMES[REGIONS[world.prov_region[p]]]
        words = _words(rng, topics[0], 3)
        text = (
            f"{world.prov_name[p]} is a {_KIND_WORDS[kind]} based in "
            f"{world.prov_home_name[p]}, {_country_name(cc)}, specialising in "
            f"{_join([TOPICS[t].name.lower() for t in topics])}. "
            f"Its work covers {_join(words)}. "
            f"It mainly works with cities in {region}."
        )
        yield Node(pid, Label.PROVIDER, {
            "name": world.prov_name[p],
            "country": cc,
            "kind": kind,
            "employees": int(world.prov_employees[p]),
            "languages": _languages(rng, cc, 0.85),
            "description": text,
            "website": f"https://{pid.split(':', 1)[1][:60]}.example.com",
        })


def _solution_nodes(world: World, rng: np.random.Generator) -> Iterator[Node]:
    for s, sid in enumerate(world.sol_id):
        topics = world.sol_topics[s]
        main = TOPICS[topics[0]]
        _, desc, _ = main.solutions[world.sol_template[s]]
        text = [
            f"{desc}.",
            f"Helps cities tackle {main.challenge}.",
            f"Relevant to {_join(_words(rng, topics[0], 3))}.",
        ]
        if len(topics) > 1:
            text.append(f"Also supports {_join([TOPICS[t].name.lower() for t in topics[1:]])}.")
        noise = rng.choice(len(NOISE_SENTENCES), size=2, replace=False)
        text.extend(NOISE_SENTENCES[int(j)] for j in noise)
        yield Node(sid, Label.SOLUTION, {
            "name": world.sol_name[s],
            "category": main.category,
            "description": " ".join(text),
            "maturity": MATURITIES[world.sol_maturity[s]],
            "cost": COSTS[world.sol_cost[s]],
        })


def _member_nodes(world: World, rng: np.random.Generator) -> Iterator[Node]:
    for m in range(len(world.mem_kind)):
        kind = MEMBER_KINDS[world.mem_kind[m]]
        cc = world.mem_country[m]
        langs = _languages(rng, cc, 0.5 if kind == "city_official" else 0.75)
        first, last = nm.person_name(rng, langs[0])
        topics = [t for t, _ in world.mem_topics[m]]
        tnames = _join([TOPICS[t].name.lower() for t in topics])
        org = int(world.mem_org[m])
        role = world.mem_role[m]
        if kind == "city_official":
            bio = f"{role} at the City of {world.city_name[org]}."
            if topics:
                bio += f" Works on {tnames}."
        elif kind == "provider_staff":
            bio = f"{role} at {world.prov_name[org]}, focusing on {tnames}."
        elif kind == "expert":
            years = 3 + int(rng.integers(0, 25))
            bio = (
                f"Independent expert in {tnames} based in {_country_name(cc)}, with "
                f"{years} years of experience advising cities on "
                f"{_join(_words(rng, topics[0], 2))}."
            )
        elif kind == "researcher":
            where = f" at {world.prov_name[org]}" if org >= 0 else ""
            bio = (
                f"Researcher{where} working on {tnames}. Publishes on "
                f"{_join(_words(rng, topics[0], 2))}."
            )
        else:
            bio = (
                f"Interested in {tnames} and smart cities."
                if topics
                else "Smart city enthusiast and community volunteer."
            )
        props: dict[str, Any] = {
            "name": f"{first} {last}",
            "country": cc,
            "kind": kind,
            "languages": langs,
            "bio": bio,
            "open_to_matches": bool(world.mem_open[m]),
        }
        if world.mem_email[m]:
            local = ".".join(x for x in (nm.slugify(first), nm.slugify(last)) if x)
            props["email"] = f"{local.replace('-', '')}.{m}@example.org"
        yield Node(f"member:{m:06d}", Label.MEMBER, props)


def iter_relationships(world: World) -> Iterator[Rel]:
    """Yield every relationship of the world, grouped by type."""
    topic_id = [f"topic:{t.slug}" for t in TOPICS]
    for s, sid in enumerate(world.sol_id):
        for t in world.sol_topics[s]:
            yield Rel(RelType.COVERS, sid, topic_id[t])
    for s, sid in enumerate(world.sol_id):
        for g in world.sol_sdgs[s]:
            yield Rel(RelType.ADDRESSES, sid, f"sdg:{g}")
    for s, sid in enumerate(world.sol_id):
        for k in world.sol_kpis[s]:
            yield Rel(RelType.IMPROVES, sid, world.kpi_ids[k])
    for s, sid in enumerate(world.sol_id):
        for p in world.sol_offers[s]:
            yield Rel(RelType.OFFERS, world.prov_id[p], sid)
    for c, cid in enumerate(world.city_id):
        needs = np.flatnonzero(world.urgency[c] > 0)
        for t in needs[np.argsort(-world.urgency[c, needs], kind="stable")].tolist():
            yield Rel(RelType.NEEDS, cid, topic_id[t], {"urgency": float(world.urgency[c, t])})
    for c, cid in enumerate(world.city_id):
        sdgs = np.flatnonzero(world.sdg_weight[c] > 0)
        for g in sdgs[np.argsort(-world.sdg_weight[c, sdgs], kind="stable")].tolist():
            yield Rel(RelType.PRIORITIZES, cid, f"sdg:{g + 1}",
                      {"weight": float(world.sdg_weight[c, g])})
    for c, k, value, year in world.measures:
        yield Rel(RelType.MEASURES, world.city_id[c], world.kpi_ids[k],
                  {"value": value, "year": year})
    for c, s, year, rating, p in world.implemented:
        yield Rel(RelType.IMPLEMENTED, world.city_id[c], world.sol_id[s],
                  {"year": year, "rating": rating, "provider": world.prov_id[p]})
    for a, b in world.partners:
        yield Rel(RelType.PARTNERS_WITH, world.city_id[a], world.city_id[b])
    for m in range(len(world.mem_kind)):
        org = world.member_works_for(m)
        if org is not None:
            props = {"role": world.mem_role[m]} if world.mem_role[m] else {}
            yield Rel(RelType.WORKS_FOR, f"member:{m:06d}", org, props)
    for m in range(len(world.mem_kind)):
        for t, level in world.mem_topics[m]:
            yield Rel(RelType.EXPERT_IN, f"member:{m:06d}", topic_id[t], {"level": level})
    for m, c, year in world.advised:
        yield Rel(RelType.ADVISED, f"member:{m:06d}", world.city_id[c], {"year": year})
    for a, b in world.knows:
        yield Rel(RelType.KNOWS, f"member:{a:06d}", f"member:{b:06d}")
    yield from event_relationships(world)
