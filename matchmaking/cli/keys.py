"""CLI command group ``keys``: create, revoke and list API keys."""

from __future__ import annotations

import json

import click

from matchmaking.cli.context import Context, pass_ctx
from matchmaking.keys import Role


@click.group()
def keys() -> None:
    """Create, revoke and list API keys (only a hash of each key is stored)."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--subject", default=None,
              help="City, Member or Provider id (or unique name) for bound roles.")
@click.option("--name", default="", help="A note saying whom the key is for.")
@click.option("--expires", default=None, metavar="DURATION",
              help="Expire the key after this long, e.g. 90d, 12h or 30m (default: never).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (includes the key).")
@pass_ctx
def keys_create(c: Context, role: str, subject: str | None, name: str, expires: str | None,
                as_json: bool) -> None:
    """Create a key and print it once; it cannot be shown again."""
    from matchmaking.keys import BOUND_ROLES, create_key, parse_duration
    from matchmaking.resolve import resolve_or_keep

    expires_in = parse_duration(expires) if expires is not None else None
    store = c.store(create=True)
    store.init()
    if subject is not None and Role(role) in BOUND_ROLES:
        subject = resolve_or_keep(store, subject, [BOUND_ROLES[Role(role)]])
    record, key = create_key(store, Role(role), subject, name, expires_in)
    if as_json:
        click.echo(json.dumps({**record.to_json(), "key": key}))
        return
    click.echo(key)
    click.echo(
        f"created key {record.key_id} (role {record.role}"
        + (f", subject {record.subject}" if record.subject else "")
        + (f", expires {record.expires}" if record.expires else "")
        + "); store it now: it is shown only once",
        err=True,
    )


@keys.command("revoke")
@click.argument("key_id")
@pass_ctx
def keys_revoke(c: Context, key_id: str) -> None:
    """Revoke a key by its id; running API workers stop accepting it within 30 s."""
    from matchmaking.keys import revoke_key

    record = revoke_key(c.store(), key_id)
    click.echo(f"revoked key {record.key_id}")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def keys_list(c: Context, as_json: bool) -> None:
    """List keys (id, role, subject, name, created, revoked); never the secrets."""
    from matchmaking.keys import list_keys

    records = list_keys(c.store())
    if as_json:
        click.echo(json.dumps([r.to_json() for r in records], indent=2))
        return
    for r in records:
        state = "revoked" if r.revoked else "expired" if r.expired() else "active"
        click.echo(
            f"{r.key_id}  {r.role:<8} {r.subject or '-':<24} {state:<8} {r.created}  {r.name}"
        )


commands: list[click.Command] = [keys]
