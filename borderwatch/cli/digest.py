"""``borderwatch digest``: a channel's stories as one summary, posted now (or only printed).

The same digest the schedule posts (``slack_digest_at``, a route's ``digest_at``): stories by
category and region with counts, escalations, who acknowledged, links to the threads.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from borderwatch.cli.app import app, current_settings, out
from borderwatch.core.errors import BorderwatchError, Codes, Problem


@app.command("digest")
def digest(
    channel: Annotated[
        str | None,
        typer.Option("--channel", help="Channel name or ID (default: BORDERWATCH_SLACK_CHANNEL)."),
    ] = None,
    since: Annotated[str, typer.Option("--since", help="The window: 12h, 1d, 30m.")] = "12h",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the digest; post nothing.")
    ] = False,
) -> None:
    """Post a digest of a channel's stories (those with a report in the window)."""
    from slack_sdk.errors import SlackApiError

    from borderwatch.notifiers.silences import parse_duration
    from borderwatch.notifiers.sinks.slack.digest import target_for
    from borderwatch.runtime.digests import digests_of
    from borderwatch.runtime.wiring import build_notifiers

    settings = current_settings()
    if not (settings.slack_token and settings.slack_channel):
        raise BorderwatchError(Problem.of(Codes.L001, command="digest"))
    window = parse_duration(since)
    target = target_for(settings, channel or settings.slack_channel)
    digests = digests_of(build_notifiers(settings, slack=True, console=False))
    assert digests is not None  # Slack is configured, so its notifier keeps stories
    end = time.time()
    try:
        made = digests.build(target, end - window, end)
        if dry_run:
            out.print(made.text, markup=False, highlight=False, soft_wrap=True)
            for block in made.blocks[2:]:
                text = (block.get("text") or {}).get("text", "")
                out.print(text, markup=False, highlight=False, soft_wrap=True)
            return
        ts = digests.post(target, made)
    except (SlackApiError, LookupError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
        raise BorderwatchError(Problem.of(Codes.L006, channel=target.channel, error=error)) from exc
    out.print(f"digest posted to {target.channel} (ts {ts}): {made.text}", markup=False,
              highlight=False, soft_wrap=True)  # fmt: skip
