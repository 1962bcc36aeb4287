"""``borderwatch silence``: mute a known story on Slack and the webhook for a while.

Silenced alerts are still detected and recorded; only the paging stops, and it starts again
by itself when the silence ends.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from borderwatch.cli.app import current_settings, group, out
from borderwatch.cli.render import silences_table, when
from borderwatch.core.errors import BorderwatchError, Codes, Problem

if TYPE_CHECKING:
    from borderwatch.notifiers.silences import SilenceStore

silence_app = group("silence", "Mute known stories on Slack for a while.")


def _silences() -> SilenceStore:
    from borderwatch.runtime.wiring import silence_store

    return silence_store(current_settings())


@silence_app.command("add")
def silence_add(
    duration: Annotated[str, typer.Option("--for", help="How long: 30m, 6h, 2d.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (shown in `silence list`).")],
    matchers: Annotated[
        str | None,
        typer.Argument(
            help="key=value,... (as --match): `silence add band=unconfirmed --for 24h ...`",
            show_default=False,
        ),
    ] = None,
    match: Annotated[
        str | None,
        typer.Option(
            "--match",
            help="key=value,... keys: category, country, crossing, rule, severity, source, "
            "band (confirmed, likely, unconfirmed), confidence<0.5 (also <=, >, >=; quote it), "
            "min_confidence=0.5 (mutes alerts below 0.5)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Silence matching alerts on Slack and the webhook; they are still recorded."""
    from borderwatch.notifiers.silences import parse_duration, parse_matchers

    given = ",".join(m for m in (matchers, match) if m)  # both: all of them must hold
    silence = _silences().add(parse_matchers(given), parse_duration(duration), reason)
    out.print(f"silence {silence.silence_id} until {when(silence.ends_at)}")


@silence_app.command("list")
def silence_list(
    all_: Annotated[bool, typer.Option("--all", help="Include expired silences.")] = False,
) -> None:
    """Active silences (or all of them)."""
    store = _silences()
    now = time.time()
    out.print(silences_table(store.all() if all_ else store.active(now), now))


@silence_app.command("expire")
def silence_expire(silence_id: Annotated[str, typer.Argument(help="The id `list` shows.")]) -> None:
    """End a silence now."""
    if not _silences().expire(silence_id):
        raise BorderwatchError(Problem.of(Codes.S007, silence_id=silence_id))
    out.print(f"silence {silence_id} expired", markup=False)
