"""Regenerate the built-in reference data shipped in ``graph_schema/data/``.

This is a maintainer tool, not part of the runtime: the package only reads the JSON files.
It needs two packages that are *not* project dependencies; install them into a throw-away
virtual environment and run the script with that interpreter::

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install pycountry country_converter
    /tmp/refvenv/bin/python scripts/build_reference_data.py

Sources
-------
- ``sdgs.json``: the 17 goals of UN General Assembly resolution A/RES/70/1 (titles) with the
  short names used in UN communications (tables below).
- ``countries.json``: ISO 3166-1 codes and alpha-3 codes from ``pycountry`` (the Debian
  iso-codes database), common English short names and UN M49 geographic groupings from the
  data table of ``country_converter`` (column ``UNregion``), plus Kosovo (``XK``), which ISO
  leaves user-assigned. See ``graph_schema.reference`` for the region convention.
- ``kpis.json``: the U4SSC KPI catalogue (tables below); see ``KPI_SOURCE``.

The script reads the ``country_converter`` table with the ``csv`` module instead of the
package's API, so that it does not depend on a particular pandas version.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "graph_schema" / "data"

# --------------------------------------------------------------------------------------------
# SDGs
# --------------------------------------------------------------------------------------------

SDGS: list[tuple[int, str, str]] = [
    (1, "No poverty", "End poverty in all its forms everywhere"),
    (
        2,
        "Zero hunger",
        "End hunger, achieve food security and improved nutrition and promote sustainable "
        "agriculture",
    ),
    (
        3,
        "Good health and well-being",
        "Ensure healthy lives and promote well-being for all at all ages",
    ),
    (
        4,
        "Quality education",
        "Ensure inclusive and equitable quality education and promote lifelong learning "
        "opportunities for all",
    ),
    (5, "Gender equality", "Achieve gender equality and empower all women and girls"),
    (
        6,
        "Clean water and sanitation",
        "Ensure availability and sustainable management of water and sanitation for all",
    ),
    (
        7,
        "Affordable and clean energy",
        "Ensure access to affordable, reliable, sustainable and modern energy for all",
    ),
    (
        8,
        "Decent work and economic growth",
        "Promote sustained, inclusive and sustainable economic growth, full and productive "
        "employment and decent work for all",
    ),
    (
        9,
        "Industry, innovation and infrastructure",
        "Build resilient infrastructure, promote inclusive and sustainable industrialization and "
        "foster innovation",
    ),
    (10, "Reduced inequalities", "Reduce inequality within and among countries"),
    (
        11,
        "Sustainable cities and communities",
        "Make cities and human settlements inclusive, safe, resilient and sustainable",
    ),
    (
        12,
        "Responsible consumption and production",
        "Ensure sustainable consumption and production patterns",
    ),
    (13, "Climate action", "Take urgent action to combat climate change and its impacts"),
    (
        14,
        "Life below water",
        "Conserve and sustainably use the oceans, seas and marine resources for sustainable "
        "development",
    ),
    (
        15,
        "Life on land",
        "Protect, restore and promote sustainable use of terrestrial ecosystems, sustainably "
        "manage forests, combat desertification, and halt and reverse land degradation and halt "
        "biodiversity loss",
    ),
    (
        16,
        "Peace, justice and strong institutions",
        "Promote peaceful and inclusive societies for sustainable development, provide access to "
        "justice for all and build effective, accountable and inclusive institutions at all levels",
    ),
    (
        17,
        "Partnerships for the goals",
        "Strengthen the means of implementation and revitalize the Global Partnership for "
        "Sustainable Development",
    ),
]


def build_sdgs() -> list[dict[str, Any]]:
    return [
        {"id": f"sdg:{n}", "number": n, "name": name, "title": title} for n, name, title in SDGS
    ]


# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------

# M49 geographic region of each M49 sub-region / intermediate region used as ``subregion``.
M49_REGION_OF: dict[str, str] = {
    "Northern Africa": "Africa",
    "Eastern Africa": "Africa",
    "Middle Africa": "Africa",
    "Southern Africa": "Africa",
    "Western Africa": "Africa",
    "Caribbean": "Americas",
    "Central America": "Americas",
    "South America": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}

# Common English short names where country_converter abbreviates or uses a less usual form.
NAME_OVERRIDES: dict[str, str] = {
    "BL": "Saint Barthélemy",
    "BN": "Brunei",
    "BQ": "Bonaire, Sint Eustatius and Saba",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "GS": "South Georgia and the South Sandwich Islands",
    "HM": "Heard Island and McDonald Islands",
    "KN": "Saint Kitts and Nevis",
    "LC": "Saint Lucia",
    "MF": "Saint Martin",
    "MO": "Macao",
    "PM": "Saint Pierre and Miquelon",
    "PN": "Pitcairn Islands",
    "SH": "Saint Helena, Ascension and Tristan da Cunha",
    "SJ": "Svalbard and Jan Mayen",
    "VA": "Vatican City",
    "VC": "Saint Vincent and the Grenadines",
    "VI": "U.S. Virgin Islands",
    "WF": "Wallis and Futuna",
}

# Corrections where country_converter's grouping differs from UN M49.
SUBREGION_OVERRIDES: dict[str, str] = {
    "NR": "Micronesia",  # Nauru
}

# Common non-ISO two-letter codes and the ISO 3166-1 code each stands for. All are ISO
# "exceptionally" or "transitionally" reserved codes, or the EU's own code for Greece.
ALIASES: dict[str, str] = {
    "UK": "GB",  # United Kingdom (exceptionally reserved)
    "EL": "GR",  # Greece (EU/Eurostat usage)
    "FX": "FR",  # Metropolitan France (exceptionally reserved)
    "IC": "ES",  # Canary Islands (exceptionally reserved)
    "EA": "ES",  # Ceuta and Melilla (exceptionally reserved)
    "AC": "SH",  # Ascension Island (exceptionally reserved)
    "TA": "SH",  # Tristan da Cunha (exceptionally reserved)
    "DG": "IO",  # Diego Garcia (exceptionally reserved)
    "TP": "TL",  # East Timor (transitionally reserved, now Timor-Leste)
    "ZR": "CD",  # Zaire (transitionally reserved, now DR Congo)
    "BU": "MM",  # Burma (transitionally reserved, now Myanmar)
}


def _coco_rows() -> dict[str, dict[str, str]]:
    import country_converter  # maintainer-only dependency

    path = Path(country_converter.__file__).resolve().parent / "country_data.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {row["ISO3"]: row for row in rows if row["ISO3"]}


def build_countries() -> dict[str, Any]:
    import pycountry  # maintainer-only dependency

    coco = _coco_rows()
    entries: list[tuple[str, str]] = [(c.alpha_2, c.alpha_3) for c in pycountry.countries]
    entries.append(("XK", "XKX"))
    countries = []
    for alpha2, alpha3 in sorted(entries):
        row = coco[alpha3]
        subregion = SUBREGION_OVERRIDES.get(alpha2, row["UNregion"])
        if subregion == "Antarctica":  # not part of any M49 region
            subregion = ""
        region = M49_REGION_OF[subregion] if subregion else ""
        countries.append(
            {
                "id": f"country:{alpha2}",
                "code": alpha2,
                "alpha3": alpha3,
                "name": NAME_OVERRIDES.get(alpha2, row["name_short"]),
                "region": region,
                "subregion": subregion,
            }
        )
    codes = {c["code"] for c in countries}
    assert len(countries) == 250, len(countries)
    assert all(target in codes and alias not in codes for alias, target in ALIASES.items())
    return {"countries": countries, "aliases": dict(sorted(ALIASES.items()))}


# --------------------------------------------------------------------------------------------
# U4SSC KPIs
# --------------------------------------------------------------------------------------------

KPI_SOURCE = (
    "U4SSC 'Collection Methodology for Key Performance Indicators for Smart Sustainable "
    "Cities' (ITU/U4SSC, 2017), based on Recommendation ITU-T Y.4903/L.1603; structure (3 "
    "dimensions, 7 sub-dimensions, 22 categories) as listed in the 'U4SSC KPIs Verification "
    "Manual' (2022). The 91 KPI codes were checked against a public code listing of the 91-KPI "
    "catalogue; names, core/advanced types and units were reconstructed from the ITU "
    "publications' per-KPI pages (several spot-checked: EC:ICT:ICT:1C, EC:ICT:ICT:2C, "
    "EC:ICT:ES:1C, EC:ICT:ES:2A, EC:I:B:2A) and from general knowledge of the catalogue, so "
    "individual names and units may differ slightly from the official wording. Units are "
    "simplified to the main reported quantity. 'direction' is this project's judgement, not "
    "part of the standard. Later revisions (92 KPIs) are not reflected."
)

DIMENSIONS: list[tuple[str, str]] = [
    ("EC", "Economy"),
    ("EN", "Environment"),
    ("SC", "Society and Culture"),
]

# (dimension code, sub-dimension code, name)
SUBDIMENSIONS: list[tuple[str, str, str]] = [
    ("EC", "ICT", "ICT"),
    ("EC", "P", "Productivity"),
    ("EC", "I", "Infrastructure"),
    ("EN", "EN", "Environment"),
    ("EN", "E", "Energy"),
    ("SC", "EH", "Education, Health and Culture"),
    ("SC", "SH", "Safety, Housing and Social Inclusion"),
]

CATEGORY_NAMES: dict[str, str] = {
    "ICT": "ICT Infrastructure",
    "WS": "Water and Sanitation",
    "D": "Drainage",
    "ES": "Electricity Supply",
    "T": "Transport",
    "PS": "Public Sector",
    "IN": "Innovation",
    "EM": "Employment",
    "WA": "Waste",
    "B": "Buildings",
    "UP": "Urban Planning",
    "AQ": "Air Quality",
    "EQ": "Environmental Quality",
    "PSN": "Public Space and Nature",
    "E": "Energy",
    "ED": "Education",
    "H": "Health",
    "C": "Culture",
    "HO": "Housing",
    "SI": "Social Inclusion",
    "SA": "Safety",
    "FS": "Food Security",
}

H, L = "higher_is_better", "lower_is_better"
PCT = "%"
P100K = "per 100,000 inhabitants"

# (code, name, unit, direction); type follows from the code's last letter (C core, A advanced).
KPIS: list[tuple[str, str, str, str]] = [
    # Economy / ICT
    ("EC:ICT:ICT:1C", "Household Internet Access", PCT, H),
    ("EC:ICT:ICT:2C", "Fixed Broadband Subscriptions", PCT, H),
    ("EC:ICT:ICT:3C", "Wireless Broadband Subscriptions", P100K, H),
    ("EC:ICT:ICT:4C", "Wireless Broadband Coverage", PCT, H),
    ("EC:ICT:ICT:5A", "Availability of WIFI in Public Areas", "number of public WIFI hotspots", H),
    ("EC:ICT:WS:1C", "Smart Water Meters", PCT, H),
    ("EC:ICT:WS:2A", "Water Supply ICT Monitoring", PCT, H),
    ("EC:ICT:D:1A", "Drainage / Storm Water System ICT Monitoring", PCT, H),
    ("EC:ICT:ES:1C", "Smart Electricity Meters", PCT, H),
    ("EC:ICT:ES:2A", "Electricity Supply ICT Monitoring", PCT, H),
    ("EC:ICT:ES:3A", "Demand Response Penetration", PCT, H),
    ("EC:ICT:T:1C", "Dynamic Public Transport Information", PCT, H),
    ("EC:ICT:T:2C", "Traffic Monitoring", PCT, H),
    ("EC:ICT:T:3A", "Intersection Control", PCT, H),
    ("EC:ICT:PS:1A", "Open Data", "number of open datasets", H),
    ("EC:ICT:PS:2A", "e-Government", "number of e-government services", H),
    ("EC:ICT:PS:3A", "Public Sector e-Procurement", PCT, H),
    # Economy / Productivity
    ("EC:P:IN:1C", "R&D Expenditure", "% of GDP", H),
    ("EC:P:IN:2C", "Patents", P100K, H),
    ("EC:P:IN:3A", "Small and Medium-Sized Enterprises", PCT, H),
    ("EC:P:EM:1C", "Unemployment Rate", PCT, L),
    ("EC:P:EM:2C", "Youth Unemployment Rate", PCT, L),
    ("EC:P:EM:3A", "Tourism Industry Employment", PCT, H),
    ("EC:P:EM:4A", "ICT Sector Employment", PCT, H),
    # Economy / Infrastructure
    ("EC:I:WS:1C", "Basic Water Supply", PCT, H),
    ("EC:I:WS:2C", "Potable Water Supply", PCT, H),
    ("EC:I:WS:3C", "Water Supply Loss", PCT, L),
    ("EC:I:WS:4C", "Wastewater Collection", PCT, H),
    ("EC:I:WS:5C", "Household Sanitation", PCT, H),
    ("EC:I:WA:1C", "Solid Waste Collection", PCT, H),
    (
        "EC:I:ES:1C",
        "Electricity System Outage Frequency",
        "interruptions per customer per year",
        L,
    ),
    ("EC:I:ES:2C", "Electricity System Outage Time", "hours per customer per year", L),
    ("EC:I:ES:3C", "Access to Electricity", PCT, H),
    ("EC:I:T:1C", "Public Transport Network", "km per 100,000 inhabitants", H),
    ("EC:I:T:2A", "Public Transport Network Convenience", PCT, H),
    ("EC:I:T:3C", "Bicycle Network", "km per 100,000 inhabitants", H),
    ("EC:I:T:4A", "Transportation Mode Share", "% of trips by public transport", H),
    ("EC:I:T:5A", "Travel Time Index", "ratio", L),
    ("EC:I:T:6A", "Shared Bicycles", P100K, H),
    ("EC:I:T:7A", "Shared Vehicles", P100K, H),
    ("EC:I:T:8A", "Low-Carbon Emission Passenger Vehicles", PCT, H),
    ("EC:I:B:1A", "Public Building Sustainability", PCT, H),
    ("EC:I:B:2A", "Integrated Building Management Systems in Public Buildings", PCT, H),
    ("EC:I:UP:1A", "Pedestrian Infrastructure", PCT, H),
    ("EC:I:UP:2A", "Urban Development and Spatial Planning", "yes/no", H),
    # Environment / Environment
    ("EN:EN:AQ:1C", "Air Pollution", "µg/m³", L),
    ("EN:EN:AQ:2C", "GHG Emissions", "tonnes CO2-eq per capita", L),
    ("EN:EN:WS:1C", "Drinking Water Quality", PCT, H),
    ("EN:EN:WS:2C", "Water Consumption", "litres per capita per day", L),
    ("EN:EN:WS:3C", "Freshwater Consumption", PCT, L),
    ("EN:EN:WS:4C", "Wastewater Treatment", PCT, H),
    ("EN:EN:WA:1C", "Solid Waste Treatment", PCT, H),
    ("EN:EN:EQ:1C", "EMF Exposure", PCT, H),
    ("EN:EN:EQ:2A", "Noise Exposure", PCT, L),
    ("EN:EN:PSN:1C", "Green Areas", "hectares per 100,000 inhabitants", H),
    ("EN:EN:PSN:2A", "Green Area Accessibility", PCT, H),
    ("EN:EN:PSN:3A", "Protected Natural Areas", PCT, H),
    ("EN:EN:PSN:4A", "Recreational Facilities", "m² per capita", H),
    # Environment / Energy
    ("EN:E:E:1C", "Renewable Energy Consumption", PCT, H),
    ("EN:E:E:2C", "Electricity Consumption", "kWh per capita per year", L),
    ("EN:E:E:3C", "Residential Thermal Energy Consumption", "GJ per capita per year", L),
    ("EN:E:E:4A", "Public Building Energy Consumption", "kWh per m² per year", L),
    # Society and Culture / Education, Health and Culture
    ("SC:EH:ED:1C", "Student ICT Access", PCT, H),
    ("SC:EH:ED:2C", "School Enrollment", PCT, H),
    ("SC:EH:ED:3C", "Higher Education Degrees", P100K, H),
    ("SC:EH:ED:4C", "Adult Literacy", PCT, H),
    ("SC:EH:H:1C", "Life Expectancy", "years", H),
    ("SC:EH:H:2C", "Maternal Mortality Rate", "per 100,000 live births", L),
    ("SC:EH:H:3C", "Physicians", P100K, H),
    ("SC:EH:H:4A", "In-Patient Hospital Beds", P100K, H),
    ("SC:EH:H:5A", "Health Insurance / Public Health Coverage", PCT, H),
    ("SC:EH:H:6A", "Electronic Health Records", PCT, H),
    ("SC:EH:C:1C", "Cultural Expenditure", "% of municipal budget", H),
    ("SC:EH:C:2A", "Cultural Infrastructure", P100K, H),
    # Society and Culture / Safety, Housing and Social Inclusion
    ("SC:SH:HO:1C", "Informal Settlements", PCT, L),
    ("SC:SH:HO:2A", "Expenditure of Income on Housing", PCT, L),
    ("SC:SH:SI:1C", "Gender Income Equity", "ratio", H),
    ("SC:SH:SI:2C", "Gini Coefficient", "coefficient (0-1)", L),
    ("SC:SH:SI:3C", "Poverty", PCT, L),
    ("SC:SH:SI:4C", "Voter Participation", PCT, H),
    ("SC:SH:SI:5A", "Child Care Availability", PCT, H),
    ("SC:SH:SA:1C", "Natural Disaster Related Deaths", P100K, L),
    ("SC:SH:SA:2C", "Disaster Related Economic Losses", "% of GDP", L),
    ("SC:SH:SA:3A", "Resilience Plans", "yes/no", H),
    ("SC:SH:SA:4A", "Population Living in Disaster Prone Areas", PCT, L),
    ("SC:SH:SA:5A", "Emergency Service Response Time", "minutes", L),
    ("SC:SH:SA:6C", "Police Service", "police officers per 100,000 inhabitants", H),
    ("SC:SH:SA:7C", "Fire Service", "firefighters per 100,000 inhabitants", H),
    ("SC:SH:SA:8C", "Violent Crime Rate", P100K, L),
    ("SC:SH:SA:9C", "Traffic Fatalities", P100K, L),
    ("SC:SH:FS:1A", "Local Food Production", PCT, H),
]


def build_kpis() -> dict[str, Any]:
    dim_name = dict(DIMENSIONS)
    sub_name = {(d, s): name for d, s, name in SUBDIMENSIONS}
    categories: dict[tuple[str, str, str], dict[str, str]] = {}
    kpis = []
    for code, name, unit, direction in KPIS:
        dim, sub, cat, num = code.split(":")
        category = CATEGORY_NAMES[cat]
        key = (dim, sub, cat)
        if key not in categories:
            categories[key] = {
                "code": f"{dim}:{sub}:{cat}",
                "name": category,
                "dimension": dim_name[dim],
                "subdimension": sub_name[(dim, sub)],
            }
        kpis.append(
            {
                "id": f"kpi:{code}",
                "code": code,
                "name": name,
                "unit": unit,
                "dimension": dim_name[dim],
                "subdimension": sub_name[(dim, sub)],
                "category": category,
                "type": {"C": "core", "A": "advanced"}[num[-1]],
                "direction": direction,
            }
        )
    assert len(kpis) == 91 and len({k["code"] for k in kpis}) == 91
    assert sum(k["type"] == "core" for k in kpis) == 54
    return {
        "source": KPI_SOURCE,
        "dimensions": [{"code": c, "name": n} for c, n in DIMENSIONS],
        "subdimensions": [
            {"code": f"{d}:{s}", "name": n, "dimension": dim_name[d]} for d, s, n in SUBDIMENSIONS
        ],
        # Category names repeat across sub-dimensions (e.g. Water and Sanitation under ICT,
        # Infrastructure and Environment): 27 placements of 22 distinct categories.
        "categories": [
            {"name": n, "placements": [c for c in categories.values() if c["name"] == n]}
            for n in CATEGORY_NAMES.values()
        ],
        "kpis": kpis,
    }


def _write(name: str, payload: Any) -> None:
    path = DATA_DIR / name
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def main() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _write("sdgs.json", build_sdgs())
    _write("countries.json", build_countries())
    _write("kpis.json", build_kpis())


if __name__ == "__main__":
    main()
