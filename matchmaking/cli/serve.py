"""CLI command ``serve``: run the HTTP API with uvicorn.

``serve`` passes the import string ``api.app:create_app`` to uvicorn (``factory=True``), so
importing the CLI never imports the ``api`` package.
"""

from __future__ import annotations

import os

import click

from matchmaking.cli.context import Context, pass_ctx


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Worker processes (each opens its own store connection and engine).",
)
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@pass_ctx
def serve(
    c: Context, host: str, port: int, workers: int, log_level: str, access_log: bool
) -> None:
    """Run the HTTP API with uvicorn (OpenAPI docs at /docs)."""
    import uvicorn

    # The app reads its settings from MATCHMAKING_* variables; hand the store URL on to the
    # workers through the environment (the URL never contains credentials).
    os.environ["MATCHMAKING_STORE"] = c.store_url
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        proxy_headers=False,
    )


commands: list[click.Command] = [serve]
