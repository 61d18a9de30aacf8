"""The sentences of the ``cohort`` and ``national`` reasons on a hand-built Italian world.

Aosta (the subject) shares "Kestrel" (4 of the 7 cities) and "Falcon" (5 of 7) with Bari and
Como, only "Falcon" with Dervio and Empoli, only "Kestrel" with Nowhere (a city without a
country); Lyon (France) shares nothing with it. "Heron" was taken up by Bari in 2021, Como in
2019, Dervio in 2015 and Lyon in 2020. So of Aosta's cohort, Bari and Como took "Heron" up
lately, Bari more recently; the rarer of the two things Aosta shares with both is "Kestrel";
and 3 of the 5 Italian cities implemented "Heron". Each sentence below is written out from
that story, and read back by the reason oracle against the store.
"""

from __future__ import annotations

from pathlib import Path

from reason_oracle import Oracle, check_reason

from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.explain import Explainer
from matchmaking.features import FeatureSpace
from matchmaking.kinds import Kind
from matchmaking.projection import Projection, Row

CITIES = {"aosta": "IT", "bari": "IT", "como": "IT", "dervio": "IT", "empoli": "IT",
          "lyon": "FR", "nowhere": None}
#: (city, solution, year)
LINKS = [("aosta", "kestrel", 2016), ("bari", "kestrel", 2017), ("como", "kestrel", 2014),
         ("aosta", "falcon", 2012), ("bari", "falcon", 2013), ("como", "falcon", 2011),
         ("empoli", "falcon", 2018), ("dervio", "falcon", 2011),
         ("bari", "heron", 2021), ("como", "heron", 2019), ("dervio", "heron", 2015),
         ("lyon", "heron", 2020),
         ("dervio", "osprey", 2010), ("lyon", "osprey", 2010), ("empoli", "osprey", 2012),
         ("lyon", "plover", 2018), ("nowhere", "plover", 2017), ("nowhere", "kestrel", 2016)]


def graph(years: dict[tuple[str, str], int | None] | None = None,
          ) -> tuple[list[Node], list[Rel]]:
    """The world; ``years`` overrides the year of some links (None: undated)."""
    nodes = [Node(f"city:{c}", Label.CITY, {"name": c.title(), **({"country": cc} if cc else {})})
             for c, cc in CITIES.items()]
    nodes += [Node(f"sol:{s}", Label.SOLUTION, {"name": s.title(), "category": "mobility"})
              for s in sorted({s for _, s, _ in LINKS})]
    rels = []
    for c, s, y in LINKS:
        year = (years or {}).get((c, s), y)
        rels.append(Rel(RelType.IMPLEMENTED, f"city:{c}", f"sol:{s}",
                        {} if year is None else {"year": year}))
    return nodes, rels


def reasons(nodes: list[Node], rels: list[Rel], feature: str, subject: str,
            candidate: str) -> list[str]:
    proj = Projection.build(nodes, rels)
    ex = Explainer(FeatureSpace(proj))
    return ex.reasons(Kind.SOLUTIONS, Row(proj.index[subject]), Row(proj.index[candidate]),
                      {feature: 1.0})


def read_back(tmp_path: Path, nodes: list[Node], rels: list[Rel], subject: str, candidate: str,
              sentence: str) -> None:
    store = SQLiteStore(tmp_path / "world.db")
    store.init()
    store.write(nodes, rels)
    try:
        check_reason(Oracle(store), subject, candidate, sentence)
    finally:
        store.close()


def test_the_world_is_as_the_story_says() -> None:
    """Kestrel is rarer than Falcon among the subject's implementations (so it is named
    first), and Aosta's cohort feature for Heron is positive."""
    nodes, rels = graph()
    fs = FeatureSpace(Projection.build(nodes, rels))
    proj = fs.proj
    k, f = (int(proj.local[proj.index[f"sol:{x}"]]) for x in ("kestrel", "falcon"))
    adopters = fs.city_solution.sum(axis=0)
    assert (adopters[k], adopters[f]) == (4, 5)
    a = int(proj.local[proj.index["city:aosta"]])
    assert fs.city_solution_rare[a, k] > fs.city_solution_rare[a, f] > 0


def test_cohort_reason_names_the_recent_takers_and_what_they_share(tmp_path: Path) -> None:
    nodes, rels = graph()
    got = reasons(nodes, rels, "cohort", "city:aosta", "sol:heron")
    want = ('Taken up lately by Bari (2021) and Como (2019), which like you implemented '
            '"Kestrel" and "Falcon"')
    assert got == [want]
    read_back(tmp_path, nodes, rels, "city:aosta", "sol:heron", want)


def test_an_undated_adoption_is_not_recent(tmp_path: Path) -> None:
    """Bari's Heron without a year weighs nothing: the next two takers of the cohort are
    named, Como and Dervio, with what all three share, "Falcon" only."""
    nodes, rels = graph({("bari", "heron"): None})
    got = reasons(nodes, rels, "cohort", "city:aosta", "sol:heron")
    want = ('Taken up lately by Como (2019) and Dervio (2015), which like you implemented '
            '"Falcon"')
    assert got == [want]
    read_back(tmp_path, nodes, rels, "city:aosta", "sol:heron", want)
    # Dervio's undated too: Como alone is named, never an undated taker beside it
    nodes, rels = graph({("bari", "heron"): None, ("dervio", "heron"): None})
    got = reasons(nodes, rels, "cohort", "city:aosta", "sol:heron")
    assert got == ['Taken up lately by Como (2019), which like you implemented "Kestrel" and '
                   '"Falcon"']


def test_without_any_year_the_reason_does_not_say_lately(tmp_path: Path) -> None:
    nodes, rels = graph({(c, s): None for c, s, _ in LINKS})
    got = reasons(nodes, rels, "cohort", "city:aosta", "sol:heron")
    # equal weights without years: Bari and Como in id order, no year, no "lately"
    want = 'Taken up by Bari and Como, which like you implemented "Kestrel" and "Falcon"'
    assert got == [want]
    assert "lately" not in got[0] and "(" not in got[0]
    read_back(tmp_path, nodes, rels, "city:aosta", "sol:heron", want)


def test_no_cohort_reason_when_no_cohort_member_took_it_up() -> None:
    """Plover was taken up by Lyon and by the country-less city, which shares Kestrel with
    Aosta; Lyon shares nothing. Only "Nowhere" can be named, and is."""
    nodes, rels = graph()
    got = reasons(nodes, rels, "cohort", "city:aosta", "sol:plover")
    assert got == ['Taken up lately by Nowhere (2017), which like you implemented "Kestrel"']
    # without Nowhere's Plover nobody of the cohort took it up: no cohort sentence
    nodes, rels = graph()
    rels = [r for r in rels if (r.src, r.dst) != ("city:nowhere", "sol:plover")]
    got = reasons(nodes, rels, "cohort", "city:aosta", "sol:plover")
    assert not any(s.startswith("Taken up") for s in got), got


def test_national_reason_counts_the_subjects_country(tmp_path: Path) -> None:
    nodes, rels = graph()
    got = reasons(nodes, rels, "national", "city:aosta", "sol:heron")
    want = "Implemented by 3 of the 5 cities in Italy"  # Bari, Como, Dervio; not Lyon
    assert got == [want]
    read_back(tmp_path, nodes, rels, "city:aosta", "sol:heron", want)
    # Lyon is the only French city: a country of one city gives no sentence, not even "1 of
    # the 1 cities" for its own Heron
    assert not any(s.startswith("Implemented by") for s in
                   reasons(nodes, rels, "national", "city:lyon", "sol:heron"))
    # nor does a city without a country
    assert not any(s.startswith("Implemented by") for s in
                   reasons(nodes, rels, "national", "city:nowhere", "sol:heron"))


def test_national_reason_needs_a_compatriot_that_implemented_it() -> None:
    nodes, rels = graph()
    # Plover: Lyon (France) and Nowhere, no Italian city
    got = reasons(nodes, rels, "national", "city:aosta", "sol:plover")
    assert not any(s.startswith("Implemented by") for s in got), got


def test_national_reason_of_another_subject() -> None:
    """Kestrel: Aosta, Bari and Como are Italian, Nowhere has no country."""
    nodes, rels = graph()
    got = reasons(nodes, rels, "national", "city:dervio", "sol:kestrel")
    assert got == ["Implemented by 3 of the 5 cities in Italy"]


def test_trend_reason_counts_the_uptake_of_the_last_two_years(tmp_path: Path) -> None:
    """The newest link of the world is 2021, so "the last two years" are 2020 and later:
    Heron was taken up by Bari (2021) and Lyon (2020) of its four cities."""
    nodes, rels = graph()
    got = reasons(nodes, rels, "trend", "city:aosta", "sol:heron")
    want = "On the rise: 2 of the 4 cities that implemented it did so in 2020 or later"
    assert got == [want]
    read_back(tmp_path, nodes, rels, "city:aosta", "sol:heron", want)
    # Osprey's three takers are from 2010-2012: nothing recent, no sentence
    assert not any(s.startswith("On the rise") for s in
                   reasons(nodes, rels, "trend", "city:aosta", "sol:osprey"))
    # without any year there is no "recent" to speak of
    nodes, rels = graph({(c, s): None for c, s, _ in LINKS})
    assert not any(s.startswith("On the rise") for s in
                   reasons(nodes, rels, "trend", "city:aosta", "sol:heron"))


def test_trend_feature_is_the_recency_weighted_share_of_its_uptake() -> None:
    """Half-life 1.5 years from the newest year (2021): Heron's takers of 2021, 2020, 2019
    and 2015 weigh 1, 0.5^(1/1.5), 0.5^(2/1.5) and 0.5^(6/1.5), over its 4 cities."""
    nodes, rels = graph()
    fs = FeatureSpace(Projection.build(nodes, rels))
    heron = int(fs.proj.local[fs.proj.index["sol:heron"]])
    want = (1 + 0.5 ** (1 / 1.5) + 0.5 ** (2 / 1.5) + 0.5 ** (6 / 1.5)) / 4
    assert abs(fs.solution_trend[heron] - want) < 1e-12
    assert fs.latest_year == 2021
