"""``borderwatch rules``: what an analyst runs while writing a rule file.

``check`` is the gate (every problem at once, located); ``test`` and ``explain`` answer
"why did (or didn't) this match"; ``schema`` keeps editors' completion in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from borderwatch.cli.app import current_settings, err, group, out
from borderwatch.cli.render import examples_table, language_examples_table
from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.models import Article

if TYPE_CHECKING:
    from borderwatch.streams.detect import Detector

rules_app = group("rules", "Check and test rule files.")

RulePaths = Annotated[
    list[Path] | None, typer.Argument(help="Rule files or directories (default: rules_dir).")
]


def _detector(paths: list[Path] | None, *, examples: bool) -> Detector:
    from borderwatch.streams.examples import checked_detector

    return checked_detector(current_settings(), paths or None, examples=examples)


@rules_app.command("check")
def rules_check(paths: RulePaths = None) -> None:
    """Validate rules, lists and examples: every problem at once, as path:line:col: [Rnnn]."""
    ruleset = _detector(paths, examples=True).rules
    out.print(f"{len(ruleset.rules)} rules in {len(ruleset.files)} files: OK ({ruleset.version})")


@rules_app.command("test")
def rules_test(paths: RulePaths = None) -> None:
    """Run every rule's examples and print pass/fail per rule (exit 1 if any fails)."""
    from borderwatch.streams.examples import run_examples

    detector = _detector(paths, examples=False)
    results = run_examples(detector)
    out.print(examples_table(detector, results))
    if any(res.language != "en" for res in results):
        out.print(language_examples_table(results))
    failed = [res for res in results if not res.ok]
    for res in failed:
        err.print(
            f"FAIL {res.rule_id} {res.kind}[{res.index}]: {res.detail}: {res.text!r}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    if failed:
        raise typer.Exit(code=1)


@rules_app.command("explain")
def rules_explain(
    rule_id: Annotated[str, typer.Argument(help="The rule to explain, e.g. BW-OPEN-001.")],
    text: Annotated[str | None, typer.Option("--text", "-t", help="Text to test.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Text file (first line: title).")
    ] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="Rules directory.")] = None,
) -> None:
    """Show each condition's result, what was dropped and why, and the evidence."""
    from borderwatch.streams.explain import render, trace

    if (text is None) == (file is None):
        raise typer.BadParameter("give exactly one of --text or --file")
    if file is not None:
        try:
            title, _, body = file.read_text(encoding="utf-8").partition("\n")
        except OSError as exc:
            raise BorderwatchError(Problem.of(Codes.R012, file, reason=exc.strerror)) from exc
        article = Article(id="explain", title=title.strip(), text=body.strip() or title)
    else:
        article = Article(id="explain", text=text or "")
    detector = _detector([rules] if rules else None, examples=False)
    result, sents = trace(detector, rule_id, article)
    for line in render(result, sents, detector.rules.version):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@rules_app.command("schema")
def rules_schema(
    out_path: Annotated[
        Path, typer.Option("--out", help="The rule files' schema; the others go beside it.")
    ] = Path("rules/schema.json"),
    check: Annotated[
        bool, typer.Option("--check", help="Only compare; exit 1 when a file is stale.")
    ] = False,
) -> None:
    """Write the JSON Schemas of rule files, named-list files (``lists/schema.json``) and
    language lexicons (``languages/schema.json``), generated from their models, for editors."""
    from borderwatch.streams.rules.model import schema_texts

    stale = []
    for relative, text in schema_texts().items():
        path = out_path.parent / relative if relative != "schema.json" else out_path
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if check:
            if current != text:
                stale.append(path)
                err.print(f"{path} is stale: run `borderwatch rules schema`", markup=False)
            else:
                out.print(f"{path} is up to date")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.print(f"wrote {path}")
    if stale:
        raise typer.Exit(code=1)
