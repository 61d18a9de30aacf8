"""Tests for the built-in reference data (graph_schema.reference)."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources

import pytest

from graph_schema import reference

ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
KPI_CODE_RE = re.compile(r"^(EC|EN|SC):(ICT|P|I|EN|E|EH|SH):[A-Z]{1,3}:\d+[CA]$")
M49_REGIONS = {"Africa", "Americas", "Asia", "Europe", "Oceania"}


# ----------------------------------------------------------------------------- SDGs


def test_exactly_17_sdgs_numbered_1_to_17() -> None:
    goals = reference.sdgs()
    assert [g["number"] for g in goals] == list(range(1, 18))
    assert [g["id"] for g in goals] == [f"sdg:{n}" for n in range(1, 18)]


def test_sdg_names_and_titles() -> None:
    by_number = {g["number"]: g for g in reference.sdgs()}
    assert by_number[1]["name"] == "No poverty"
    assert by_number[1]["title"] == "End poverty in all its forms everywhere"
    assert by_number[2]["name"] == "Zero hunger"
    assert by_number[11]["name"] == "Sustainable cities and communities"
    assert by_number[11]["title"] == (
        "Make cities and human settlements inclusive, safe, resilient and sustainable"
    )
    assert by_number[13]["name"] == "Climate action"
    assert by_number[17]["name"] == "Partnerships for the goals"
    assert all(g["name"] and g["title"] for g in by_number.values())
    assert len({g["name"] for g in by_number.values()}) == 17


# ----------------------------------------------------------------------------- countries


def test_250_countries_including_kosovo() -> None:
    all_countries = reference.countries()
    assert len(all_countries) == 250
    codes = [c["code"] for c in all_countries]
    assert len(set(codes)) == 250
    assert "XK" in codes
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    assert all(re.fullmatch(r"[A-Z]{3}", c["alpha3"]) for c in all_countries)
    assert len({c["alpha3"] for c in all_countries}) == 250
    assert all(c["id"] == f"country:{c['code']}" for c in all_countries)


@pytest.mark.parametrize(
    ("code", "alpha3", "name", "region", "subregion"),
    [
        ("DE", "DEU", "Germany", "Europe", "Western Europe"),
        ("BR", "BRA", "Brazil", "Americas", "South America"),
        ("MX", "MEX", "Mexico", "Americas", "Central America"),
        ("US", "USA", "United States", "Americas", "Northern America"),
        ("GB", "GBR", "United Kingdom", "Europe", "Northern Europe"),
        ("GR", "GRC", "Greece", "Europe", "Southern Europe"),
        ("DK", "DNK", "Denmark", "Europe", "Northern Europe"),
        ("NL", "NLD", "Netherlands", "Europe", "Western Europe"),
        ("NG", "NGA", "Nigeria", "Africa", "Western Africa"),
        ("JP", "JPN", "Japan", "Asia", "Eastern Asia"),
        ("AU", "AUS", "Australia", "Oceania", "Australia and New Zealand"),
        ("NR", "NRU", "Nauru", "Oceania", "Micronesia"),
        ("XK", "XKX", "Kosovo", "Europe", "Southern Europe"),
    ],
)
def test_country_spot_checks(
    code: str, alpha3: str, name: str, region: str, subregion: str
) -> None:
    record = reference.country(code)
    assert record is not None
    assert (record["alpha3"], record["name"], record["region"], record["subregion"]) == (
        alpha3,
        name,
        region,
        subregion,
    )


def test_country_lookup_is_case_insensitive_and_rejects_aliases() -> None:
    de = reference.country("de")
    assert de is not None and de["code"] == "DE"
    assert reference.country("UK") is None
    assert reference.country("EL") is None
    assert reference.country("ZZ") is None


def test_regions_are_m49_regions() -> None:
    for c in reference.countries():
        if c["code"] == "AQ":
            assert c["region"] == "" and c["subregion"] == ""
        else:
            assert c["region"] in M49_REGIONS, c
            assert c["subregion"], c
    counts = Counter(c["region"] for c in reference.countries())
    assert counts["Europe"] == 52  # 51 ISO entries in M49 Europe plus Kosovo
    assert counts[""] == 1


def test_country_alias_hints() -> None:
    assert reference.country_alias_hint("UK") == "GB"
    assert reference.country_alias_hint("EL") == "GR"
    assert reference.country_alias_hint("uk") == "GB"
    assert reference.country_alias_hint("DE") is None
    assert reference.country_alias_hint("QQ") is None
    aliases = json.loads(
        resources.files("graph_schema").joinpath("data", "countries.json").read_text("utf-8")
    )["aliases"]
    for alias, target in aliases.items():
        assert reference.country(alias) is None, alias
        assert reference.country(target) is not None, target


# ----------------------------------------------------------------------------- KPIs


def test_kpi_catalogue_structure() -> None:
    catalogue = reference.kpi_catalogue()
    assert [d["name"] for d in catalogue["dimensions"]] == [
        "Economy",
        "Environment",
        "Society and Culture",
    ]
    assert [s["name"] for s in catalogue["subdimensions"]] == [
        "ICT",
        "Productivity",
        "Infrastructure",
        "Environment",
        "Energy",
        "Education, Health and Culture",
        "Safety, Housing and Social Inclusion",
    ]
    names = [c["name"] for c in catalogue["categories"]]
    assert len(names) == 22 == len(set(names))
    assert {"Waste", "Food Security", "Drainage", "Public Space and Nature"} <= set(names)
    assert "U4SSC" in catalogue["source"]


def test_91_kpis_with_unique_well_formed_codes() -> None:
    all_kpis = reference.kpis()
    assert len(all_kpis) == 91
    codes = [k["code"] for k in all_kpis]
    assert len(set(codes)) == 91
    for k in all_kpis:
        assert KPI_CODE_RE.fullmatch(k["code"]), k["code"]
        assert k["id"] == f"kpi:{k['code']}"
        assert k["name"] and k["unit"]
        assert k["type"] == ("core" if k["code"].endswith("C") else "advanced")
        assert k["direction"] in {"higher_is_better", "lower_is_better"}
    types = Counter(k["type"] for k in all_kpis)
    assert types == {"core": 54, "advanced": 37}


def test_every_kpi_category_belongs_to_the_catalogue() -> None:
    catalogue = reference.kpi_catalogue()
    dim_names = {d["code"]: d["name"] for d in catalogue["dimensions"]}
    sub_names = {s["code"]: s["name"] for s in catalogue["subdimensions"]}
    placements = {
        (p["dimension"], p["subdimension"], p["name"], p["code"])
        for c in catalogue["categories"]
        for p in c["placements"]
    }
    for k in reference.kpis():
        dim, sub, cat, _ = k["code"].split(":")
        assert k["dimension"] == dim_names[dim]
        assert k["subdimension"] == sub_names[f"{dim}:{sub}"]
        assert (k["dimension"], k["subdimension"], k["category"], f"{dim}:{sub}:{cat}") in (
            placements
        )
    used = {(k["dimension"], k["subdimension"], k["category"]) for k in reference.kpis()}
    assert used == {(p[0], p[1], p[2]) for p in placements}


@pytest.mark.parametrize(
    ("code", "name", "unit", "kind", "direction"),
    [
        ("EC:ICT:ICT:1C", "Household Internet Access", "%", "core", "higher_is_better"),
        ("EC:ICT:ES:2A", "Electricity Supply ICT Monitoring", "%", "advanced", "higher_is_better"),
        ("EC:P:EM:1C", "Unemployment Rate", "%", "core", "lower_is_better"),
        ("EN:EN:AQ:2C", "GHG Emissions", "tonnes CO2-eq per capita", "core", "lower_is_better"),
        ("SC:SH:FS:1A", "Local Food Production", "%", "advanced", "higher_is_better"),
    ],
)
def test_kpi_spot_checks(code: str, name: str, unit: str, kind: str, direction: str) -> None:
    by_code = {k["code"]: k for k in reference.kpis()}
    k = by_code[code]
    assert (k["name"], k["unit"], k["type"], k["direction"]) == (name, unit, kind, direction)


def test_kpi_categories_by_subdimension() -> None:
    by_code = {k["code"]: k for k in reference.kpis()}
    water = by_code["EC:ICT:WS:1C"]
    assert (water["subdimension"], water["category"]) == ("ICT", "Water and Sanitation")
    waste = by_code["EC:I:WA:1C"]
    assert (waste["subdimension"], waste["category"]) == ("Infrastructure", "Waste")
    energy = by_code["EN:E:E:1C"]
    assert (energy["dimension"], energy["subdimension"], energy["category"]) == (
        "Environment",
        "Energy",
        "Energy",
    )


# ----------------------------------------------------------------------------- nodes


def test_reference_nodes() -> None:
    nodes = reference.reference_nodes()
    assert len(nodes) == 17 + 250 + 91
    ids = [node_id for node_id, _, _ in nodes]
    assert len(set(ids)) == len(ids)
    assert all(ID_RE.fullmatch(node_id) for node_id in ids)
    assert Counter(label for _, label, _ in nodes) == {"SDG": 17, "Country": 250, "KPI": 91}
    for _, _, props in nodes:
        assert props["name"]
        for value in props.values():
            assert value is not None and value != ""
            assert isinstance(value, str | int | float | bool)

    by_id = {node_id: (label, props) for node_id, label, props in nodes}
    assert by_id["sdg:11"] == (
        "SDG",
        {
            "name": "Sustainable cities and communities",
            "number": 11,
            "title": "Make cities and human settlements inclusive, safe, resilient and sustainable",
        },
    )
    assert by_id["country:DE"] == (
        "Country",
        {
            "name": "Germany",
            "code": "DE",
            "alpha3": "DEU",
            "region": "Europe",
            "subregion": "Western Europe",
        },
    )
    assert by_id["country:AQ"][1] == {"name": "Antarctica", "code": "AQ", "alpha3": "ATA"}
    label, props = by_id["kpi:EC:ICT:ICT:1C"]
    assert label == "KPI"
    assert set(props) == {
        "name",
        "code",
        "unit",
        "dimension",
        "subdimension",
        "category",
        "type",
        "direction",
    }
    assert props["category"] == "ICT Infrastructure"


def test_reference_nodes_returns_independent_copies() -> None:
    first = reference.reference_nodes()
    first[0][2]["name"] = "changed"
    first.clear()
    second = reference.reference_nodes()
    assert second[0][2]["name"] == "No poverty"
    assert reference.sdgs()[0]["name"] == "No poverty"
