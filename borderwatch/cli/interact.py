"""``borderwatch interact``: answer clicks on the Slack buttons, as a service of its own.

``run`` starts the same thing itself when it is configured; a deployment with separate
services (``notify``, ``worker``, ``poll``) runs this beside them, on the same state
directory (the stories, silences and feedback it reads and writes).
"""

from __future__ import annotations

from borderwatch.cli.app import app, current_settings, out, service
from borderwatch.core.errors import BorderwatchError, Codes, Problem


@app.command()
def interact() -> None:
    """Answer Slack button clicks (HTTP endpoint and/or Socket Mode) until Ctrl-C/SIGTERM."""
    from borderwatch.runtime.interact import clicks_served
    from borderwatch.runtime.wiring import build_notifiers, interactive

    with service() as stop:
        settings = current_settings()
        if not (settings.slack_token and settings.slack_channel):
            raise BorderwatchError(Problem.of(Codes.L001, command="interact"))
        if not interactive(settings):
            raise BorderwatchError(Problem.of(Codes.L002))
        notifiers = build_notifiers(settings, slack=True, console=False)
        try:
            with clicks_served(settings, notifiers) as clicks:
                assert clicks is not None
                for way in clicks.ways:
                    out.print(f"answering Slack clicks: {way}", markup=False, highlight=False)
                stop.wait()
        finally:
            for notifier in notifiers:
                notifier.close()
