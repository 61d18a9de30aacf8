"""CLI commands ``recommend``, ``examples`` and ``fit``.

The engine (numpy, scipy, scikit-learn) is imported inside the commands, so that loading
the CLI stays fast.
"""

from __future__ import annotations

import atexit
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph_schema.schema import PROVIDER_KINDS
from matchmaking.cli.context import Context, LazyChoice, pass_ctx

if TYPE_CHECKING:
    from matchmaking.engine import Engine, Recommendation
    from matchmaking.filtering import Filters, RecommendOptions
    from matchmaking.resolve import NameIndex


def _kinds() -> Iterable[str]:
    from matchmaking.kind_names import Kind  # the enum alone: no engine, no numpy

    return [k.value for k in Kind]


def _print_table(kind: str, subject: str, recs: list[Recommendation]) -> None:
    if not recs:
        click.echo(f"no {kind} recommendations for {subject} (the graph holds no match yet)")
        return
    click.echo(f"{kind} for {subject}")
    width = max(len(r.id) for r in recs)
    for rank, r in enumerate(recs, start=1):
        click.echo(f"{rank:>3}. {r.score:6.3f}  {r.id:<{width}}  {r.name}")
        for reason in r.reasons:
            click.echo(f"{'':>14}- {reason}")
        if r.also_offered_by:
            who = sorted({name for o in r.also_offered_by for _, name in o.providers})
            click.echo(f"{'':>14}  also offered by {_short_list(who)}")


def _short_list(names: list[str], at_most: int = 4) -> str:
    """``"A, B, C, D and 3 more"``."""
    if len(names) <= at_most:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return f"{', '.join(names[:at_most])} and {len(names) - at_most} more"


@click.command()
@click.argument("kind", type=LazyChoice(_kinds))
@click.argument("subject", required=False)
@click.option("--k", "k", default=10, show_default=True, type=click.IntRange(1, 100),
              help="Number of results.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--batch", "batch", type=click.Path(path_type=Path, dir_okay=False),
              help="File with one subject id per line ('-' = stdin); writes JSON Lines.")
@click.option("--country", help="Candidate's country (ISO 3166-1 alpha-2).")
@click.option("--region", help="UN M49 region or subregion of the candidate's country.")
@click.option("--language", help="Language the candidate works in (ISO 639-1).")
@click.option("--sdg", type=int, help="SDG number (1-17).")
@click.option("--category", help="Solution category (economy, environment, ...).")
@click.option("--max-cost", "max_cost", type=click.Choice(["low", "medium", "high"]))
@click.option("--provider-kind", "provider_kind", type=click.Choice(list(PROVIDER_KINDS)))
@click.option("--include-known", is_flag=True, help="Keep what the subject already has.")
@click.option("--diversify", is_flag=True, help="MMR re-ranking against near-duplicates.")
@click.option("--reciprocal", is_flag=True,
              help="Peers, experts, opportunities: combine the scores of both sides.")
@click.option("--no-group", "no_group", is_flag=True,
              help="Solutions: list every near-duplicate offer separately (default: one idea "
                   "once, with 'also offered by').")
@pass_ctx
def recommend(c: Context, kind: str, subject: str | None, k: int, fmt: str, batch: Path | None,
              country: str | None, region: str | None, language: str | None, sdg: int | None,
              category: str | None, max_cost: str | None, provider_kind: str | None,
              include_known: bool, diversify: bool, reciprocal: bool, no_group: bool) -> None:
    """Recommend candidates of KIND for SUBJECT (an id or a name), or for every line of --batch.

    KIND: solutions, providers, peers, experts (for a City), opportunities (for a Member),
    leads (for a Provider). A name is matched case- and accent-insensitively ("Gent",
    "zurich"); "Name, CC" picks a country.
    """
    from matchmaking.engine import Engine
    from matchmaking.filtering import Filters, RecommendOptions
    from matchmaking.kinds import KINDS, Kind
    from matchmaking.resolve import name_index, resolve_id

    if (subject is None) == (batch is None):
        raise click.UsageError("give either a SUBJECT id or --batch FILE")
    filters = Filters(country=country, region=region, language=language, sdg=sdg,
                      category=category, max_cost=max_cost, provider_kind=provider_kind)
    filters.check(Kind(kind))
    store = c.store()
    label = KINDS[Kind(kind)].subject
    if subject is not None:
        subject = resolve_id(store, subject, [label])
    engine = Engine(store, background=False, progress=progress_line())
    options = RecommendOptions(include_known=include_known, diversify=diversify,
                               reciprocal=reciprocal, group=not no_group)
    if batch is not None:
        _run_batch(engine, kind, batch, k, filters, options, name_index(store, [label]))
        return
    assert subject is not None
    recs = engine.recommend(kind, subject, k=k, filters=filters, options=options)
    if fmt == "json":
        click.echo(json.dumps({"for": subject, "kind": kind,
                               "results": [r.to_json() for r in recs]}, ensure_ascii=False,
                              indent=2))
    else:
        _print_table(kind, subject, recs)


def _run_batch(engine: Engine, kind: str, path: Path, k: int, filters: Filters,
               options: RecommendOptions, names: NameIndex) -> None:
    from graph_schema.errors import MatchmakingError

    stream = sys.stdin if str(path) == "-" else None
    try:
        lines = stream.read().splitlines() if stream else path.read_text().splitlines()
    except OSError as e:
        msg = f"cannot read {path}: {e.strerror}"
        raise click.BadParameter(msg, param_hint="--batch") from None
    out = sys.stdout
    subjects = [x.strip() for x in lines]
    subjects = [x for x in subjects if x and not x.startswith("#")]
    step = 256  # written as they are done; a chunk's subjects share their feature products
    for i in range(0, len(subjects), step):
        part = subjects[i:i + step]
        existing = engine.store.labels_of(part)  # ids (of any label) go to the engine as is
        ids: list[str | MatchmakingError] = []
        for text in part:
            try:
                ids.append(text if text in existing else names.resolve(text))
            except MatchmakingError as e:
                ids.append(e)
        found = [x for x in ids if isinstance(x, str)]
        batch = engine.recommend(kind, found, k=k, filters=filters, options=options)
        for text, sid in zip(part, ids, strict=True):
            record: dict[str, object] = {"for": sid if isinstance(sid, str) else text,
                                         "kind": kind}
            error = sid if isinstance(sid, MatchmakingError) else batch.errors.get(sid)
            if error is not None:
                record["error"] = str(error)
            else:
                assert isinstance(sid, str)
                record["results"] = [r.to_json() for r in batch.results[sid]]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


def progress_line() -> Callable[[str], None] | None:
    """On a terminal, a status line on stderr naming the slow step under way (building the
    projection, fitting a kind), cleared when the next output comes; None elsewhere."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    atexit.register(lambda: click.echo("\r\x1b[K", err=True, nl=False))

    def say(what: str) -> None:
        click.echo(f"\r\x1b[K[{time.monotonic() - started:4.1f} s] {what} "
                   "(once per change of the store)...", err=True, nl=False)

    return say


def example_subjects(engine: Engine) -> dict[str, str]:
    """The first subject (by id) of each kind that gets at least one recommendation.

    Parameters
    ----------
    engine : Engine
        The engine to ask; only the first 50 subjects of each kind are tried.

    Returns
    -------
    dict
        Kind -> subject id, for the kinds that have one.
    """
    from matchmaking.kinds import KINDS
    from matchmaking.training import candidate_rows

    proj = engine.projection
    out: dict[str, str] = {}
    for kind, spec in KINDS.items():
        if not candidate_rows(proj, kind).size:
            continue
        for row in proj.rows[spec.subject][:50].tolist():
            if engine.recommend(kind, proj.ids[row], k=1):
                out[kind] = proj.ids[row]
                break
    return out


@click.command()
@click.option("--k", "k", default=3, show_default=True, type=click.IntRange(1, 100))
@pass_ctx
def examples(c: Context, k: int) -> None:
    """Print one example recommendation of each kind (first suitable subject by id)."""
    from matchmaking.engine import Engine

    engine = Engine(c.store(), background=False, progress=progress_line())
    subjects = example_subjects(engine)
    if not subjects:
        click.echo("the graph is empty: import a dataset first "
                   "(matchmaking demo-data --scale small DIR && matchmaking import DIR)")
        return
    proj = engine.projection
    for kind, subject in subjects.items():
        name = proj.name(proj.index[subject])
        click.echo(f"\n$ matchmaking recommend {kind} {subject} --k {k}    # {name}")
        _print_table(kind, subject, engine.recommend(kind, subject, k=k))


@click.command()
@pass_ctx
def fit(c: Context) -> None:
    """Refit the weights of every kind now and save them beside the store.

    Otherwise a kind is fitted on first use and its weights are reused until its positives
    (links it learns from, accepted feedback) change by more than 10 %.
    """
    from matchmaking.engine import Engine
    from matchmaking.kinds import KINDS
    from matchmaking.resolve import check_not_empty

    check_not_empty(c.store())
    engine = Engine(c.store(), background=False, progress=progress_line())
    started = time.perf_counter()
    engine.fit()
    for kind in KINDS:
        m = engine.model(kind)
        how = "learned" if m.learned else "default weights (too little history)"
        top = sorted(m.weights.items(), key=lambda kv: -kv[1])[:3]
        click.echo(f"{kind:<14} {how}; top: " + ", ".join(f"{f} {w:.2f}" for f, w in top))
    click.echo(f"fitted {len(KINDS)} kinds in {time.perf_counter() - started:.1f} s")


commands: list[click.Command] = [recommend, examples, fit]
