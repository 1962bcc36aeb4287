"""The root of the command line: global options, settings, and the one user-error boundary.

Every command raises ``BorderwatchError`` for anything the user must fix (a bad rule file,
an unreachable broker, an unknown silence) and never catches it: the root group below
prints every located problem on stderr and exits 1, so no command carries its own
try/except and no problem text is ever read as rich markup.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from typer.core import TyperGroup

from borderwatch.core import metrics
from borderwatch.core.errors import BorderwatchError, Problem
from borderwatch.core.settings import Settings, load_settings

out = Console()
err = Console(stderr=True)


def print_problems(problems: Iterable[Problem]) -> None:
    """Problems quote user input (paths, rule text, silence ids): printed as plain text."""
    for problem in problems:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)


def skipped(problem: Problem) -> None:
    """One bad input that the command skips and goes on past (a broken archive line)."""
    err.print(f"[yellow]skipped[/]: {escape(str(problem))}", highlight=False, soft_wrap=True)


class _UserErrors(TyperGroup):
    """The user-error boundary: every command and subgroup runs inside this ``invoke``."""

    def invoke(self, ctx: Any) -> Any:  # Any: typer's click Context type is private
        try:
            return super().invoke(ctx)
        except BorderwatchError as exc:
            print_problems(exc.problems)
            raise typer.Exit(code=1) from exc


app = typer.Typer(
    cls=_UserErrors,
    add_completion=False,
    no_args_is_help=True,
    help="Borderwatch: streaming alerts for border-crisis news.",
)


def group(name: str, help: str) -> typer.Typer:
    """A command group under the root (``rules``, ``feeds``, ``silence``)."""
    sub = typer.Typer(no_args_is_help=True, help=help)
    app.add_typer(sub, name=name)
    return sub


class _State:
    config: Path | None = None


@app.callback()
def _main(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="YAML settings file (env vars override it)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_json: Annotated[
        bool, typer.Option("--log-json", envvar="BORDERWATCH_LOG_JSON", help="JSON log lines.")
    ] = False,
) -> None:
    from borderwatch.core.logjson import json_handler

    handler = json_handler() if log_json else RichHandler(console=err, show_path=False)
    if log_json:  # the stream worker a command starts logs the same way
        os.environ["BORDERWATCH_LOG_JSON"] = "1"
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[handler],
    )
    _State.config = config


def current_settings(**overrides: object) -> Settings:
    """The settings of this invocation: ``--config`` file, then the environment, then these."""
    return load_settings(_State.config, **overrides)


@contextmanager
def service() -> Iterator[threading.Event]:
    """Long-running commands: SIGTERM sets the stop event and Ctrl-C ends them cleanly."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        yield stop
    except KeyboardInterrupt:
        err.print("stopped")


def cluster_service(stop: threading.Event) -> Settings | None:
    """Start of a service on the configured cluster: metrics up, then wait for Kafka and the
    topics; None when stopped while waiting."""
    from borderwatch.core.kafka import wait_for_broker

    settings = current_settings()
    metrics.serve(settings.metrics_host, settings.metrics_port)
    return settings if wait_for_broker(settings, settings.connect_timeout_s, stop) else None
