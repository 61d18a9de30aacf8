"""CLI commands for the HTTP API: ``serve`` and ``keys create|revoke|list``.

``serve`` passes the import string ``api.app:create_app`` to uvicorn (``factory=True``), so
importing the CLI never imports the ``api`` package.
"""

from __future__ import annotations

import json
import os

import click

from matchmaking.cli import Context, pass_ctx
from matchmaking.keys import BOUND_ROLES, ROLES, create_key, list_keys, revoke_key
from matchmaking.resolve import resolve_or_keep


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


@click.group()
def keys() -> None:
    """Create, revoke and list API keys (only a hash of each key is stored)."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--subject", default=None,
              help="City, Member or Provider id (or unique name) for bound roles.")
@click.option("--name", default="", help="A note saying whom the key is for.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (includes the key).")
@pass_ctx
def keys_create(c: Context, role: str, subject: str | None, name: str, as_json: bool) -> None:
    """Create a key and print it once; it cannot be shown again."""
    store = c.store(create=True)
    store.init()
    if subject is not None and role in BOUND_ROLES:
        subject = resolve_or_keep(store, subject, [BOUND_ROLES[role]])
    record, key = create_key(store, role, subject, name)
    if as_json:
        click.echo(json.dumps({**record.to_json(), "key": key}))
        return
    click.echo(key)
    click.echo(
        f"created key {record.key_id} (role {record.role}"
        + (f", subject {record.subject}" if record.subject else "")
        + "); store it now: it is shown only once",
        err=True,
    )


@keys.command("revoke")
@click.argument("key_id")
@pass_ctx
def keys_revoke(c: Context, key_id: str) -> None:
    """Revoke a key by its id; running API workers stop accepting it within 30 s."""
    record = revoke_key(c.store(), key_id)
    click.echo(f"revoked key {record.key_id}")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def keys_list(c: Context, as_json: bool) -> None:
    """List keys (id, role, subject, name, created, revoked); never the secrets."""
    records = list_keys(c.store())
    if as_json:
        click.echo(json.dumps([r.to_json() for r in records], indent=2))
        return
    for r in records:
        state = "revoked" if r.revoked else "active"
        click.echo(
            f"{r.key_id}  {r.role:<8} {r.subject or '-':<24} {state:<8} {r.created}  {r.name}"
        )


commands = [serve, keys]
