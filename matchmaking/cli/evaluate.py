"""CLI command ``evaluate``: the offline evaluation against baselines."""

from __future__ import annotations

import json
from pathlib import Path

import click

from matchmaking.cli.context import Context, pass_ctx


def _all_kinds() -> str:
    from matchmaking.kinds import Kind

    return ",".join(Kind)


@click.command("evaluate")
@click.option("--kinds", default=_all_kinds, show_default="every kind",
              help="Comma-separated kinds to evaluate.")
@click.option("--test-fraction", default=0.2, show_default=True, type=click.FloatRange(0.05, 0.5))
@click.option("--cold-fraction", default=0.1, show_default=True, type=click.FloatRange(0.0, 0.5))
@click.option("--max-cases", default=300, show_default=True, type=click.IntRange(1),
              help="Subjects sampled per kind (the cold-start slice is always whole).")
@click.option("--split", "split_name", default="recent", show_default=True,
              type=click.Choice(["recent", "latest", "random"]),
              help="recent: each subject's newest --test-fraction plus a cold-start slice; "
                   "latest: each subject's newest link (subjects with 2 or more); "
                   "random: a random --test-fraction of all links.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write JSON here.")
@click.option("--plots", type=click.Path(path_type=Path), help="Write one PNG per kind here.")
@click.option("--title", default="", help="Prefix of plot titles and file names.")
@pass_ctx
def evaluate_cmd(
    c: Context, kinds: str, test_fraction: float, cold_fraction: float, max_cases: int,
    split_name: str, seed: int, json_out: Path | None, plots: Path | None, title: str,
) -> None:
    """Hold out links, retrain, and compare the engine with baselines on them."""
    from matchmaking.evaluation import evaluate, format_table, plot
    from matchmaking.evaluation.split import LatestSplit, RandomSplit, SplitStrategy
    from matchmaking.kinds import Kind

    wanted = [k.strip() for k in kinds.split(",") if k.strip()]
    unknown = [k for k in wanted if k not in list(Kind)]
    if unknown:
        raise click.BadParameter(
            f"unknown kind {unknown[0]!r}; use {', '.join(Kind)}", param_hint="--kinds"
        )
    split: SplitStrategy | None = {"recent": None, "latest": LatestSplit(min_links=2),
                                   "random": RandomSplit(test_fraction)}[split_name]
    result = evaluate(
        c.store(), wanted, test_fraction=test_fraction, cold_fraction=cold_fraction,
        max_cases=max_cases, random_state=seed, split=split, log=lambda m: click.echo(m, err=True),
    )
    if not result.rows:
        click.echo("note: nothing to evaluate: the graph has no links of these kinds")
        return
    click.echo(format_table(result))
    if json_out:
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    if plots:
        for path in plot(result, plots, prefix=f"{title} " if title else ""):
            click.echo(f"plot: {path}", err=True)


commands: list[click.Command] = [evaluate_cmd]
