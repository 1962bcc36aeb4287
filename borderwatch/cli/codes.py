"""``borderwatch codes``: the problem-code catalogue, as the code itself knows it.

Every ``[X000]`` the tools print is defined once in ``core.errors``; this prints that
definition, so an operator looking up a code never depends on docs that could lag behind.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from borderwatch.cli.app import app, out
from borderwatch.core.errors import CATALOGUE, RETIRED, codes_table_markdown


@app.command()
def codes(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The README's table, as Markdown.")
    ] = False,
) -> None:
    """Every problem code: its area, what it means and the message it prints."""
    if markdown:
        typer.echo(codes_table_markdown(), nl=False)  # plain text, for a file or the README
        return
    table = Table(title="problem codes")
    for col in ("code", "area", "meaning", "message"):
        table.add_column(col, no_wrap=col == "code", overflow="fold")
    for code, entry in sorted(CATALOGUE.items()):
        table.add_row(code, entry.area, Text(entry.summary), Text(entry.template))
    for code, note in sorted(RETIRED.items()):
        table.add_row(code, "retired", Text(note), "", style="dim")
    out.print(table)
