"""The ``matchmaking`` command line.

User errors (bad input, unknown ids, a store that is down) print one line on stderr and exit
with status 2; they never print a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from graph_schema.errors import MatchmakingError
from graph_schema.interchange import export_dataset, import_dataset
from graph_schema.store import DEFAULT_STORE_URL, GraphStore, open_store


class Context:
    """Per-invocation state: the store URL and the store, opened on first use.

    Read commands open an existing store only (a mistyped SQLite path is an error, not a new
    empty database); commands that write (``init``, ``import``, ``keys create``) pass
    ``create=True``.
    """

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._store: GraphStore | None = None

    def store(self, *, create: bool = False) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.store_url, create=create)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store_url",
    envvar="MATCHMAKING_STORE",
    default=DEFAULT_STORE_URL,
    show_default=True,
    help="Store URL: sqlite:///PATH, neo4j://HOST:PORT or bolt://HOST:PORT "
    "(env MATCHMAKING_STORE). Neo4j credentials come from NEO4J_USERNAME/NEO4J_PASSWORD.",
)
@click.pass_context
def cli(ctx: click.Context, store_url: str) -> None:
    """Matchmaking for smart-city ecosystems: cities, solutions, providers and experts."""
    ctx.obj = Context(store_url)
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@pass_ctx
def init(c: Context) -> None:
    """Create the schema (constraints, indexes) and the built-in reference nodes."""
    store = c.store(create=True)
    store.init()
    click.echo(f"initialised {store.url}")


class _Progress:
    """A tqdm bar on a terminal; plain lines every few seconds otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bars: dict[str, Any] = {}
        self.last = 0.0

    def __call__(self, phase: str, done: int) -> None:
        if self.tty:
            from tqdm import tqdm

            bar = self.bars.get(phase)
            if bar is None:
                bar = self.bars[phase] = tqdm(desc=phase, unit=" lines", leave=False)
            bar.update(done - bar.n)
        elif time.monotonic() - self.last > 2.0:
            self.last = time.monotonic()
            click.echo(f"{phase}: {done:,}", err=True)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@cli.command("import")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Write the valid lines even if some are bad.")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000))
@pass_ctx
def import_cmd(c: Context, directory: Path, skip_invalid: bool, batch_size: int) -> None:
    """Validate and import an interchange dataset folder (nodes.jsonl[.gz], relationships...)."""
    store = c.store(create=True)
    store.init()
    progress = _Progress()
    started = time.perf_counter()
    try:
        report = import_dataset(
            store, directory, skip_invalid=skip_invalid, batch_size=batch_size, progress=progress
        )
    finally:
        progress.close()
    for err in report.errors:
        click.echo(str(err), err=True)
    if report.error_count > len(report.errors):
        click.echo(f"... and {report.error_count - len(report.errors)} more errors", err=True)
    took = time.perf_counter() - started
    if not report.ok:
        what = (
            f"wrote {report.nodes_written:,} valid nodes and {report.rels_written:,} valid "
            "relationships"
            if report.written
            else "nothing was written (use --skip-invalid to write the valid lines)"
        )
        click.echo(f"error: {report.error_count:,} invalid lines; {what}", err=True)
        sys.exit(1)
    click.echo(
        f"imported {report.nodes_written:,} nodes and {report.rels_written:,} relationships "
        f"in {took:.1f} s"
    )


@cli.command("export")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--gzip", "compress", is_flag=True, help="Write .jsonl.gz files.")
@pass_ctx
def export_cmd(c: Context, directory: Path, compress: bool) -> None:
    """Export the whole ecosystem as an interchange dataset folder."""
    started = time.perf_counter()
    counts = export_dataset(c.store(), directory, compress=compress, progress=_Progress())
    click.echo(
        f"exported {counts['nodes']:,} nodes and {counts['relationships']:,} relationships "
        f"to {directory} in {time.perf_counter() - started:.1f} s"
    )


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_ctx
def stats(c: Context, fmt: str) -> None:
    """Print node counts per label and relationship counts per type."""
    counts = c.store().counts()
    if fmt == "json":
        click.echo(json.dumps({"nodes": counts.nodes, "relationships": counts.rels}, indent=2))
        return
    click.echo(f"store: {c.store().url}")
    for title, table in (("nodes", counts.nodes), ("relationships", counts.rels)):
        click.echo(f"{title} ({sum(table.values()):,})")
        for key, n in sorted(table.items()):
            click.echo(f"  {key:<16} {n:>10,}")


@cli.command("demo-data")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--scale", default="bsc", show_default=True,
              type=click.Choice(["tiny", "small", "bsc", "x10"]))
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--gzip", "compress", is_flag=True, help="Write .jsonl.gz files.")
def demo_data(out: Path, scale: str, seed: int, compress: bool) -> None:
    """Generate the demo ecosystem (real cities, synthetic actors) as an interchange folder."""
    from matchmaking.demo import write_dataset

    counts = write_dataset(out, scale=scale, seed=seed, compress=compress)
    total = sum(counts.values())
    click.echo(f"wrote the {scale} demo ecosystem (seed {seed}) to {out}: {total:,} records")


def _register_commands() -> None:
    """Add the commands defined in the other CLI modules (they import this one, so this
    runs at call time, not at import)."""
    from matchmaking import cli_evaluate, cli_recommend, cli_serve

    for module in (cli_recommend, cli_serve, cli_evaluate):
        for command in module.commands:
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI, turning user errors into one line and exit 2."""
    _register_commands()
    try:
        cli.main(args=argv, prog_name="matchmaking", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except MatchmakingError as e:
        click.echo("error: " + " ".join(str(e).split()), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted: every finished batch is saved; run the command again", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
