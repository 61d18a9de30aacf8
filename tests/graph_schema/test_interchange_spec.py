"""docs/interchange.md against the code: the spec's tables cover every label, property and
relationship type of ``graph_schema.schema``, and its worked examples are the files in
docs/examples/, which import (both stores) and fail exactly as the page says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph_schema import reference
from graph_schema.interchange import FORMAT, export_dataset, import_dataset
from graph_schema.schema import (
    DERIVED_TYPES,
    ENDPOINTS,
    ENGINE_TYPES,
    EVENT_TYPES,
    NODE_PROPS,
    REFERENCE_LABELS,
    REL_PROPS,
    Label,
    RelType,
)
from graph_schema.store import GraphStore

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "interchange.md"
EXAMPLE = ROOT / "docs" / "examples" / "interchange"
ERRORS = ROOT / "docs" / "examples" / "interchange-errors"
MATCHMAKING = str(Path(sys.executable).parent / "matchmaking")
DATASET_LABELS = [Label.CITY, Label.PROVIDER, Label.SOLUTION, Label.MEMBER, Label.TOPIC,
                  Label.KPI, Label.EVENT, Label.MEETING]
#: Version 1 types; the 1.1 event types have a section of their own.
DATASET_TYPES = [t for t in RelType if t not in DERIVED_TYPES | ENGINE_TYPES | EVENT_TYPES]


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The text under ``heading`` (a markdown heading line) up to the next heading."""
    text = doc()
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    nxt = re.search(r"\n#{2,3} ", text[start:])
    return text[start:start + nxt.start()] if nxt else text[start:]


def block_after(caption: str) -> str:
    """The fenced code block that follows the line ``caption`` in the page."""
    text = doc()
    at = text.index(f"\n{caption}\n")
    m = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(text, at)
    assert m is not None, caption
    return m.group(1)


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def rows(text: str) -> dict[str, list[str]]:
    """Markdown table rows keyed by their first cell without backticks."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            out[cells[0].strip("`")] = cells[1:]
    return out


# --------------------------------------------------------------------------- the tables


@pytest.mark.parametrize("label", DATASET_LABELS, ids=str)
def test_every_property_of_every_label_is_specified(label: Label) -> None:
    table = rows(section(f"### {label.value}"))
    fields = NODE_PROPS[label].model_fields
    assert set(table) == set(fields), f"{label}: spec rows differ from {NODE_PROPS[label]}"
    for name, field in fields.items():
        required = table[name][-1].startswith("yes")
        assert required == field.is_required(), f"{label}.{name}: required is {required}"


@pytest.mark.parametrize(("heading", "types"), [
    ("## Relationships", DATASET_TYPES),
    ("### Event relationships", sorted(EVENT_TYPES)),
])
def test_every_relationship_type_is_specified_with_endpoints_and_properties(
        heading: str, types: list[RelType]) -> None:
    table = rows(section(heading))
    assert set(table) == {t.value for t in types}
    for rel_type in types:
        src, dst, props = table[rel_type.value]
        want_src, want_dst = ENDPOINTS[rel_type]
        assert set(src.split(" or ")) == {x.value for x in want_src}, rel_type
        assert set(dst.split(" or ")) == {x.value for x in want_dst}, rel_type
        model = REL_PROPS.get(rel_type)
        fields = model.model_fields if model else {}
        named = set(re.findall(r"`(\w+)` \(", props))
        assert named == set(fields), f"{rel_type}: spec names {named}"
        for name, field in fields.items():
            marked = re.search(rf"`{name}` \([^)]*\*\*required\*\*", props) is not None
            assert marked == field.is_required(), f"{rel_type}.{name}: required is {marked}"
    derived_and_engine = section("## Relationships")
    for rel_type in DERIVED_TYPES | ENGINE_TYPES:
        assert f"`{rel_type.value}`" in derived_and_engine


def test_reference_nodes_table_matches_the_shipped_data() -> None:
    table = rows(section("## Reference nodes"))
    assert set(table) == {x.value for x in REFERENCE_LABELS}
    counts = {"SDG": len(reference.sdgs()), "Country": len(reference.countries()),
              "KPI": len(reference.kpis())}
    for label, count in counts.items():
        assert table[label][1] == str(count), label
    records = {"SDG": reference.sdgs()[0], "Country": reference.countries()[0],
               "KPI": reference.kpis()[0]}
    for label, record in records.items():
        for key in record:
            if key != "id":
                assert f"`{key}`" in table[label][2], f"{label}.{key} is not listed"


def test_the_current_version_is_in_the_versions_table() -> None:
    assert f"| `{FORMAT}` |" in section("## Versions")


# --------------------------------------------------------------------------- the examples


@pytest.mark.parametrize("folder,files", [
    (EXAMPLE, ("nodes.jsonl", "relationships.jsonl", "meta.json")),
    (ERRORS, ("nodes.jsonl", "relationships.jsonl")),
])
def test_the_page_shows_the_example_files_as_they_are(folder: Path, files: tuple[str, ...]
                                                      ) -> None:
    for name in files:
        path = folder / name
        caption = f"`{path.relative_to(ROOT).as_posix()}`" + (
            " (one line of every type):" if name == "relationships.jsonl" and folder == EXAMPLE
            else ":")
        assert block_after(caption) == path.read_text(encoding="utf-8"), path


def test_the_worked_example_imports_and_round_trips(store: GraphStore, tmp_path: Path) -> None:
    nodes = jsonl((EXAMPLE / "nodes.jsonl").read_text(encoding="utf-8"))
    rels = jsonl((EXAMPLE / "relationships.jsonl").read_text(encoding="utf-8"))
    report = import_dataset(store, EXAMPLE)
    assert report.ok, report.errors
    assert (report.nodes_written, report.rels_written) == (11, 15)  # as the page says
    assert {r["type"] for r in rels} == {t.value for t in DATASET_TYPES}
    counts = store.counts()
    assert counts.rels[RelType.LOCATED_IN.value] == 5
    builtin = sum(counts.nodes[x.value] for x in REFERENCE_LABELS) - 1  # kpi:nordic:...
    assert builtin == 358
    assert counts.nodes[Label.CITY.value] == 2 and counts.nodes[Label.MEMBER.value] == 2

    export_dataset(store, tmp_path / "out")
    out_nodes = {n["id"]: n for n in jsonl((tmp_path / "out" / "nodes.jsonl").read_text())}
    for node in nodes:
        if node["label"] == "SDG":  # the built-in properties are merged in
            assert node.items() <= out_nodes[node["id"]].items()
            assert out_nodes[node["id"]]["number"] == 11
        else:
            assert out_nodes[node["id"]] == node
    assert set(out_nodes) == {n["id"] for n in nodes}
    out_rels = jsonl((tmp_path / "out" / "relationships.jsonl").read_text())
    key = lambda r: (r["type"], r["from"], r["to"])  # noqa: E731
    assert sorted(out_rels, key=key) == sorted(rels, key=key)


def test_the_error_example_fails_exactly_as_the_page_says(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'errors.db'}"
    subprocess.run([MATCHMAKING, "--store", url, "init"], check=True, capture_output=True)
    out = subprocess.run(
        [MATCHMAKING, "--store", url, "import", str(ERRORS)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode == 1
    expected = block_after("`matchmaking import docs/examples/interchange-errors` prints "
                           "(and exits with status 1):")
    assert out.stderr.splitlines() == expected.splitlines()
