"""The ``matchmaking`` command line.

User errors (bad input, unknown ids, a store that is down, a missing extra) print one line
on stderr and exit with status 2; they never print a traceback. Any other failure (an engine
failure or a bug) prints one line naming the command and the error and exits with status 1;
set ``MATCHMAKING_DEBUG=1`` to see its traceback instead.

The root group and :func:`main` live here; each command group has its own module
(:mod:`~matchmaking.cli.data`, :mod:`~matchmaking.cli.recommend`,
:mod:`~matchmaking.cli.serve`, :mod:`~matchmaking.cli.keys`,
:mod:`~matchmaking.cli.evaluate`), and the state they share is in
:mod:`~matchmaking.cli.context`. Command modules import numpy, the engine and the API
inside their commands, so ``matchmaking --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from graph_schema.errors import MatchmakingError
from graph_schema.store import DEFAULT_STORE_URL
from matchmaking.cli import data, evaluate, events, keys, recommend, serve
from matchmaking.cli.context import Context

__all__ = ["cli", "main"]


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


for _module in (data, recommend, serve, keys, evaluate, events):
    for _command in _module.commands:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI, turning user errors into one line and exit 2, and
    any other failure into one line and exit 1.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).
    """
    try:
        cli.main(args=argv, prog_name="matchmaking", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as e:  # one line, not click's usage block
        hint = f" (see '{e.ctx.command_path} -h')" if e.ctx is not None else ""
        click.echo("error: " + " ".join(e.format_message().split()) + hint, err=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:
        click.echo("error: " + " ".join(e.format_message().split()), err=True)
        sys.exit(e.exit_code)
    except MatchmakingError as e:
        click.echo("error: " + " ".join(str(e).split()), err=True)
        sys.exit(2)
    except OSError as e:  # a path that cannot be read or written (export, demo-data, ...)
        where = f": {e.filename}" if e.filename else ""
        click.echo(f"error: {e.strerror or type(e).__name__}{where}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted (an interrupted import writes nothing): run the command again",
                   err=True)
        sys.exit(130)
    except Exception as e:  # an engine failure or a bug: one line, never a traceback
        if os.environ.get("MATCHMAKING_DEBUG"):
            raise
        args = sys.argv[1:] if argv is None else argv
        command = next((a for a in args if a in cli.commands), "matchmaking")
        click.echo(f"error: {command} failed: {type(e).__name__}: {' '.join(str(e).split())} "
                   "(set MATCHMAKING_DEBUG=1 for the traceback)", err=True)
        sys.exit(1)
