"""CLI commands ``schedule`` and ``agenda`` of matchmaking events.

The engine and the solver are imported inside the commands, so ``matchmaking --help`` stays
fast."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from matchmaking.cli.context import Context, pass_ctx

if TYPE_CHECKING:
    from matchmaking.events import Plan


def _summary(plan: Plan, applied: bool) -> None:
    s = plan.schedule
    gap = "optimal" if s.status == "optimal" else (
        f"{s.status}, gap {s.gap:.2%}" if s.gap is not None else s.status)
    gain = s.gain_over_greedy
    click.echo(f"event {plan.event_id}: {len(s.meetings)} meetings, value {s.value:.3f} "
               f"({gap}) in {s.seconds:.1f} s")
    click.echo(f"  greedy baseline: {s.greedy_value:.3f}"
               + (f" (solver {gain:+.1%})" if gain is not None else ""))
    worst = ", ".join(s.worst_count_ids[:5]) + (" ..." if len(s.worst_count_ids) > 5 else "")
    click.echo(f"  worst served: {s.worst_count} meetings ({worst}); lowest value "
               f"{s.worst_value:.3f} ({s.worst_value_id})")
    if s.below_min:
        click.echo(f"  below --min-meetings {s.min_meetings}: {len(s.below_min)} participants")
    click.echo(f"  changes: {len(plan.added)} added, {len(plan.moved)} moved, "
               f"{len(plan.removed)} removed")
    if not applied:
        click.echo("dry run: nothing was written (use --apply to store this schedule)")
    else:
        click.echo("stored: meetings are 'proposed' until a participant accepts or declines")


@click.command("schedule")
@click.argument("event_id")
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds the solver may run.")
@click.option("--min-meetings", default=1, show_default=True, type=click.IntRange(0, 96),
              help="Fairness target per available participant.")
@click.option("--apply", "apply_", is_flag=True, help="Store the schedule (default: dry run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_ctx
def schedule_cmd(c: Context, event_id: str, time_limit: float, min_meetings: int,
                 apply_: bool, fmt: str) -> None:
    """Plan the 1:1 meetings of EVENT_ID from the engine's matches; print a summary."""
    from matchmaking.engine import Engine
    from matchmaking.events import Events

    events = Events(c.store())
    events.event(event_id)  # fail fast, before the engine is built
    engine = Engine(c.store(), background=False)
    plan = events.plan(event_id, engine, time_limit=time_limit, min_meetings=min_meetings)
    if apply_:
        events.apply(plan)
    if fmt == "json":
        click.echo(json.dumps({**plan.to_json(), "applied": apply_}, indent=2))
    else:
        _summary(plan, apply_)


@click.command()
@click.argument("event_id")
@click.argument("participant_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ics"]), default="table",
              show_default=True)
@pass_ctx
def agenda(c: Context, event_id: str, participant_id: str, fmt: str) -> None:
    """Print PARTICIPANT_ID's meetings at EVENT_ID (as a table, JSON or iCalendar)."""
    from matchmaking.events import Events

    events = Events(c.store())
    event = events.event(event_id)
    items = events.agenda(event_id, participant_id)
    if fmt == "json":
        click.echo(json.dumps({"event": event_id, "participant": participant_id,
                               "meetings": items}, indent=2))
        return
    if fmt == "ics":
        from matchmaking.ics import agenda_ics

        sys.stdout.buffer.write(agenda_ics(event, participant_id, items))
        return
    if not items:
        click.echo(f"{participant_id} has no meetings at {event_id}")
        return
    click.echo(f"{event.props.get('name', event_id)} ({event.props['timezone']}): "
               f"agenda of {participant_id}")
    for it in items:
        other = it["with"] or {"id": "?", "name": "?"}
        click.echo(f"  {it['start'][11:16]}-{it['end'][11:16]}  table {it['table']:>3}  "
                   f"{other['name']} ({other['id']})  [{it['status']}]")
        for reason in it["reasons"]:
            click.echo(f"{'':>22}- {reason}")


commands: list[click.Command] = [schedule_cmd, agenda]
