"""The ``borderwatch`` command line: one module per command group, registered on import.

``app`` (in ``cli.app``) owns the global options and the one place where a user error
becomes located problems on stderr and exit code 1; the modules below only add commands.
"""

from __future__ import annotations

from importlib import import_module

from borderwatch.cli.app import app

__all__ = ["app", "main"]

# In the order ``--help`` lists them (a sorted import line would list ``eval`` first).
COMMAND_MODULES = ("services", "interact", "digest", "evaluate", "rules", "feeds", "silence",
                   "feedback", "codes")  # fmt: skip
for _name in COMMAND_MODULES:
    import_module(f"{__name__}.{_name}")


def main() -> None:
    app()
