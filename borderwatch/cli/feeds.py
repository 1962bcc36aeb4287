"""``borderwatch feeds``: bring feeds in from a feed reader and see which ones are healthy.

``status`` reads the poller's own memory, so it shows what the live job saw, not a fresh
fetch.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from borderwatch.cli.app import current_settings, group, out
from borderwatch.cli.render import feeds_table
from borderwatch.core.errors import BorderwatchError, Codes, Problem

feeds_app = group("feeds", "Feeds: import OPML, show their health.")


@feeds_app.command("import")
def feeds_import(
    opml: Annotated[Path, typer.Argument(help="An OPML export from a feed reader.")],
    out_path: Annotated[
        Path, typer.Option("--out", help="The feeds file to write or extend.")
    ] = Path("feeds.yaml"),
) -> None:
    """Add the feeds of an OPML file to a feeds file (existing entries are kept)."""
    import yaml

    from borderwatch.connectors.poller import import_opml, load_feeds

    try:
        found = import_opml(opml)
        existing = load_feeds(out_path) if out_path.is_file() else []
    except OSError as exc:
        raise BorderwatchError(Problem.of(Codes.F022, opml, reason=exc.strerror)) from exc
    known = {f.url for f in existing}
    added = [f for f in found if f.url not in known]
    feeds = [f.model_dump(exclude_none=True, exclude_defaults=True) for f in [*existing, *added]]
    out_path.write_text(yaml.safe_dump({"feeds": feeds}, sort_keys=False, allow_unicode=True))
    out.print(f"{len(added)} feeds added, {len(existing)} kept: {out_path}", markup=False)


@feeds_app.command("status")
def feeds_status() -> None:
    """Per feed: last success, last error, items in the last 24 h, next poll."""
    from borderwatch.runtime.wiring import feed_specs, feed_state

    settings = current_settings()
    out.print(feeds_table(feed_specs(settings), feed_state(settings), time.time()))
