"""Names for ids (``matchmaking.resolve``) and no silent empty stores, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run

from graph_schema.errors import InvalidInput, NotFound
from graph_schema.schema import Label, Node
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.resolve import NameIndex, fold


def _cities() -> list[Node]:
    def city(cid: str, name: str, cc: str, **extra: object) -> Node:
        return Node(cid, Label.CITY, {"name": name, "country": cc, **extra})

    return [city("city:be-gent", "Gent", "BE"), city("city:at-vienna", "Vienna", "AT",
                                                     aliases=["Wien", "Vienne"]),
            city("city:ch-zurich", "Zürich", "CH"), city("city:us-springfield", "Springfield",
                                                        "US"),
            city("city:gb-springfield", "Springfield", "GB"), city("city:de-koln", "Köln", "DE"),
            city("city:fr-vienne", "Vienne", "FR")]


@pytest.fixture
def names() -> NameIndex:
    return NameIndex.from_nodes(_cities(), "city")


def test_fold() -> None:
    assert fold("  ZÜRICH ") == "zurich"
    assert fold("Köln") == fold("KOLN") == "koln"
    assert fold("São   Paulo") == "sao paulo"


@pytest.mark.parametrize("text,expected", [
    ("city:be-gent", "city:be-gent"), ("Gent", "city:be-gent"), ("gent", "city:be-gent"),
    ("GENT", "city:be-gent"), ("zurich", "city:ch-zurich"), ("Zürich", "city:ch-zurich"),
    ("koln", "city:de-koln"), ("Wien", "city:at-vienna"), ("wien", "city:at-vienna"),
    ("CITY:BE-GENT", "city:be-gent"), ("Springfield, GB", "city:gb-springfield"),
    ("springfield (us)", "city:us-springfield"),
    # a name beats another node's alias ("Vienne" is Vienna's French name)
    ("Vienne", "city:fr-vienne"),
])
def test_resolves_ids_names_and_aliases(names: NameIndex, text: str, expected: str) -> None:
    assert names.resolve(text) == expected


def test_ambiguous_name_lists_candidates_with_ids_and_countries(names: NameIndex) -> None:
    with pytest.raises(InvalidInput) as e:
        names.resolve("springfield")
    assert str(e.value) == (
        "'springfield' names 2 citys: city:gb-springfield (Springfield, GB); "
        "city:us-springfield (Springfield, US). Give the id, or 'Springfield, GB' to pick by "
        "country")


def test_unknown_name_suggests_the_closest(names: NameIndex) -> None:
    with pytest.raises(NotFound) as e:
        names.resolve("Gnet")
    assert str(e.value) == "unknown city 'Gnet'; did you mean city:be-gent (Gent, BE)?"
    with pytest.raises(NotFound) as e:
        names.resolve("Springfeld")
    assert str(e.value).startswith("unknown city 'Springfeld'; did you mean "
                                   "city:us-springfield (Springfield, US)")
    with pytest.raises(NotFound) as e:
        names.resolve("city:be-gnet")
    assert str(e.value) == ("unknown city id 'city:be-gnet'; did you mean "
                            "city:be-gent (Gent, BE)?")
    with pytest.raises(NotFound) as e:
        names.resolve("Qqqqqq")
    assert str(e.value) == "unknown city 'Qqqqqq'"


@pytest.fixture
def url(board_store: SQLiteStore) -> str:
    board_store.write(_cities())
    return board_store.url


def test_cli_recommend_accepts_names(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, out, _ = run(capsys, "--store", url, "recommend", "solutions", "arhus nord", "--k", "2")
    assert code == 0 and out.splitlines()[0] == "solutions for city:a0"
    code, by_id, _ = run(capsys, "--store", url, "recommend", "solutions", "city:a0", "--k", "2")
    assert by_id == out
    code, out, err = run(capsys, "--store", url, "recommend", "peers", "Springfield")
    assert code == 2 and err.startswith("error: 'Springfield' names 2 citys: ")
    assert len(err.splitlines()) == 1
    code, out, err = run(capsys, "--store", url, "recommend", "peers", "Aalborgg")
    assert code == 2 and err == ("error: unknown city 'Aalborgg'; did you mean "
                                 "city:a1 (Aalborg, DK)?\n")


def test_cli_batch_accepts_names(capsys: pytest.CaptureFixture[str], url: str,
                                 tmp_path: Path) -> None:
    batch = tmp_path / "names.txt"
    batch.write_text("Badajoz\ncity:a0\nSpringfield\nNowhere-on-earth\n")
    code, out, _ = run(capsys, "--store", url, "recommend", "solutions", "--batch", str(batch),
                       "--k", "1")
    assert code == 0
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["for"] for r in rows] == ["city:b0", "city:a0", "Springfield",
                                        "Nowhere-on-earth"]
    assert rows[0]["results"][0]["id"].startswith("sol:b")
    assert rows[1]["results"][0]["id"] == "sol:a3"
    assert "names 2 citys" in rows[2]["error"]
    assert rows[3]["error"] == "unknown city 'Nowhere-on-earth'"


def test_keys_create_accepts_a_name(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, out, err = run(capsys, "--store", url, "keys", "create", "--role", "city",
                         "--subject", "Gent", "--json")
    assert code == 0 and json.loads(out)["subject"] == "city:be-gent"
    code, out, err = run(capsys, "--store", url, "keys", "create", "--role", "city",
                         "--subject", "Springfield")
    assert code == 2 and "'Springfield' names 2 citys" in err
    code, out, err = run(capsys, "--store", url, "keys", "create", "--role", "city",
                         "--subject", "Nowhere")
    assert code == 2 and err == "error: unknown city id 'Nowhere'\n"


def test_read_commands_never_create_a_store(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    url = f"sqlite:///{typo}"
    for args in (["stats"], ["recommend", "solutions", "Gent"], ["export", str(tmp_path / "o")],
                 ["keys", "list"], ["examples"]):
        code, out, err = run(capsys, "--store", url, *args)
        assert (code, out) == (2, ""), args
        assert err == (f"error: no store at {typo}: run `matchmaking init` or `import` "
                       "(or check the --store URL / MATCHMAKING_STORE)\n"), args
        assert not typo.exists(), args
    code, out, _ = run(capsys, "--store", url, "init")
    assert code == 0 and typo.is_file()


def test_import_creates_the_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "nodes.jsonl").write_text(json.dumps(
        {"id": "city:be-gent", "label": "City", "name": "Gent", "country": "BE"}) + "\n")
    (data / "relationships.jsonl").write_text("")
    db = tmp_path / "new.db"
    code, out, err = run(capsys, "--store", f"sqlite:///{db}", "import", str(data))
    assert code == 0, err
    assert db.is_file() and out.startswith("imported 1 nodes")


def test_recommend_on_an_empty_store_says_so(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    store.init()
    code, _, err = run(capsys, "--store", store.url, "recommend", "solutions", "Gent")
    assert code == 2
    assert err == (f"error: the store {store.url} is empty: import a dataset first "
                   "(`matchmaking demo-data DIR` and `matchmaking import DIR`)\n")
    store.write([Node("sol:x", Label.SOLUTION, {"name": "X", "category": "economy"})])
    code, _, err = run(capsys, "--store", store.url, "recommend", "solutions", "city:be-gent")
    assert code == 2
    assert err == f"error: the store {store.url} holds no city nodes yet: import a dataset that " \
        "has some\n"
