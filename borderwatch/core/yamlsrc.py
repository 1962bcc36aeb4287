"""YAML loading that remembers where every value came from, and refuses hostile YAML.

PyYAML's plain loaders drop positions and silently keep the last of two duplicate keys; a
rule author needs ``file:line:col`` for every problem, including a schema error found later
by pydantic, so we build the data from the parser's events ourselves and keep a map from data
path to mark.

Building from events (not from PyYAML's composed node graph) is also what keeps a hostile
file bounded: the composer and constructor recurse once per nesting level (a few hundred
``[`` end in ``RecursionError``), and an alias is a shared node that a tree walk expands
again at every use ("billion laughs": nine aliases of nine aliases of ... is 9**n values
from a few hundred bytes). Here nesting is counted and bounded, every alias adds the size of
what it expands to against a small budget for the file, and marks are recorded only where a
value is written, never for the copies an alias stands for. Whatever the file holds, the
result is a value and located problems, not an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from borderwatch.core.errors import Codes, Problem

DataPath = tuple[str | int, ...]

SYNTAX = Codes.R001.code  # syntax, encoding, unreadable file
KEYS = Codes.R002.code  # duplicate or merge key
REFUSED = Codes.R013.code  # YAML the loader will not build: alias bomb, too deep, complex key, tag

MAX_BYTES = 4 * 1024 * 1024  # rule, list and gazetteer files are kilobytes; refuse a flood
MAX_DEPTH = 64  # a rule file nests about 8 deep
ALIAS_BUDGET = 10_000  # values that aliases may stand for, in total, in one file
MAX_CHAR_PROBLEMS = 5  # forbidden characters reported per file (the first few locate the fault)

# What YAML allows in a stream (the spec's c-printable; PyYAML's Reader uses the same set).
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"


@dataclass
class LocatedYaml:
    path: Path
    data: Any
    marks: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    raw: bytes = b""  # the bytes read, so callers hash what was parsed, not a later re-read

    def locate(self, loc: DataPath) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the deepest known prefix of ``loc``."""
        probe = tuple(loc)
        while probe:
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (None, None))

    def problem(self, code: str, message: str, loc: DataPath) -> Problem:
        line, col = self.locate(loc)
        return Problem(code, message, self.path, line, col)


class _Refused(Exception):
    """Stops building at the first problem that makes the rest of the file meaningless."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


Mark = Any  # yaml.Mark, or libyaml's; the stubs type an event's marks as optional


def _mark(mark: Mark) -> tuple[int, int]:
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset (lines end at ``\\n``)."""
    start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - start + 1


def byte_line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset in mostly-UTF-8 bytes."""
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, col


def decode_utf8(data: bytes, path: Path) -> tuple[str | None, Problem | None]:
    """The text, or a problem at the line and column of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line, col = byte_line_col(data, exc.start)
        bad = data[exc.start : exc.start + 1].hex()
        hint = " (the file looks like UTF-16; save it as UTF-8)"
        hint = hint if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        msg = f"not valid UTF-8: byte 0x{bad}: {exc.reason}{hint}"
        return None, Problem(SYNTAX, msg, path, line, col)


def _forbidden_characters(text: str, path: Path) -> list[Problem]:
    problems = []
    for match in _FORBIDDEN.finditer(text):
        line, col = line_col(text, match.start())
        char = f"U+{ord(match.group()):04X}"
        problems.append(
            Problem(SYNTAX, f"character {char} is not allowed in YAML", path, line, col)
        )
        if len(problems) == MAX_CHAR_PROBLEMS:
            break
    return problems


def load_located(path: Path, text: str | None = None) -> LocatedYaml:
    """Parse ``path``; every problem (syntax, encoding, duplicate key, alias bomb, depth) is a
    located ``Problem`` in the result, never an exception."""
    result = LocatedYaml(path=path, data=None)
    if text is None:
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            result.problems.append(Problem(SYNTAX, f"cannot read file: {reason}", path))
            return result
        if len(data) > MAX_BYTES:
            msg = f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; refused"
            result.problems.append(Problem(REFUSED, msg, path, 1, 1))
            return result
        result.raw = data
        text, problem = decode_utf8(data, path)
        if problem is not None:
            result.problems.append(problem)
            return result
    else:
        result.raw = text.encode("utf-8", "surrogatepass")
    assert text is not None
    forbidden = _forbidden_characters(text, path)
    if forbidden:
        result.problems.extend(forbidden)
        return result
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        result.data = _Builder(loader, result).document()
    except _Refused as exc:
        result.problems.append(exc.problem)
        result.data = None
    except yaml.MarkedYAMLError as exc:
        result.problems.append(_syntax_problem(exc, path))
        result.data = None
    except yaml.reader.ReaderError as exc:  # the characters were checked above; kept as a net
        line, col = line_col(text, exc.position)
        result.problems.append(Problem(SYNTAX, f"YAML error: {exc.reason}", path, line, col))
        result.data = None
    except yaml.YAMLError as exc:
        result.problems.append(Problem(SYNTAX, f"YAML error: {exc}", path, 1, 1))
        result.data = None
    finally:
        if loader is not None:
            loader.dispose()
    return result


def _syntax_problem(exc: yaml.MarkedYAMLError, path: Path) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = _mark(mark) if mark else (1, 1)
    msg = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.context_mark is not None and exc.context_mark is not mark:
        ctx = exc.context_mark
        msg += f" ({exc.context} at line {ctx.line + 1}, column {ctx.column + 1})"
    return Problem(SYNTAX, msg, path, line, col)


@dataclass
class _Frame:
    """An open sequence or mapping: what has been built of it so far."""

    value: list[Any] | dict[Any, Any]
    at: DataPath | None  # None: a value whose marks are not kept (a key, a skipped entry)
    anchor: str | None
    start: Mark
    size: int = 1
    key: Any = None
    has_key: bool = False
    skip: bool = False  # this entry's value is built (to consume its events) but not kept


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, out: LocatedYaml) -> None:
        self.loader, self.out = loader, out
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.aliased = 0
        self.stack: list[_Frame] = []

    def refuse(self, message: str, mark: Mark, code: str = REFUSED) -> _Refused:
        return _Refused(Problem(code, message, self.out.path, *_mark(mark)))

    def next_event(self) -> yaml.Event:
        return self.loader.get_event()  # type: ignore[no-untyped-call,no-any-return]

    def document(self) -> Any:
        self.next_event()  # StreamStart
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        self.next_event()  # DocumentStart
        value = self.value()
        self.next_event()  # DocumentEnd
        if not self.loader.check_event(yaml.StreamEndEvent):
            event = self.next_event()
            raise self.refuse(
                "expected a single document, but found another", event.start_mark, SYNTAX
            )
        return value

    def _in_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and isinstance(top.value, dict) and not top.has_key

    def _slot(self) -> tuple[DataPath | None, bool]:
        """The data path of the next value (None: its marks are not kept), and whether its
        own start is its mark (a mapping's value is marked where its key is written)."""
        if not self.stack:
            return (), True
        top = self.stack[-1]
        if top.at is None or top.skip:
            return None, False
        if isinstance(top.value, list):
            return (*top.at, len(top.value)), True
        return ((*top.at, top.key), False) if top.has_key else (None, False)

    def value(self) -> Any:
        """Build one value from the events, without recursion."""
        while True:
            event = self.next_event()
            start = event.start_mark
            if isinstance(event, yaml.NodeEvent):  # a value starts here
                at, own_mark = self._slot()
                if at is not None and own_mark:
                    self.out.marks[at] = _mark(start)
            if isinstance(event, yaml.ScalarEvent):
                done, size = self.scalar(event, self._in_key()), 1
                if event.anchor is not None:
                    self.anchors[event.anchor] = (done, 1)
            elif isinstance(event, yaml.AliasEvent):
                done, size = self.alias(event)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self.open(event, at)
                continue
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                frame = self.stack.pop()
                done, size, start = frame.value, frame.size, frame.start
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (done, size)
            else:  # the parser emits nothing else inside a document
                raise self.refuse(f"unexpected {type(event).__name__}", event.start_mark, SYNTAX)
            if not self.stack:
                return done
            self.attach(done, size, start)

    def open(self, event: yaml.CollectionStartEvent, at: DataPath | None) -> None:
        is_map = isinstance(event, yaml.MappingStartEvent)
        default = _MAP if is_map else _SEQ
        if event.tag not in (None, "!", default):
            raise self.refuse(f"YAML tag {event.tag!r} is not supported", event.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            raise self.refuse(f"nested deeper than {MAX_DEPTH} levels; refused", event.start_mark)
        value: list[Any] | dict[Any, Any] = {} if is_map else []
        self.stack.append(_Frame(value, at, event.anchor, event.start_mark))

    def attach(self, value: Any, size: int, start: Mark) -> None:
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.value.append(value)
        elif not top.has_key:
            self.key(top, value, start)
        else:
            if not top.skip:
                top.value[top.key] = value
            top.has_key, top.skip, top.key = False, False, None

    def key(self, top: _Frame, key: Any, start: Mark) -> None:
        """Take a mapping key; a key that cannot be kept marks its entry to be skipped."""
        assert isinstance(top.value, dict)
        top.has_key, top.skip, top.key = True, True, key
        where = _mark(start)
        if isinstance(key, _Merge):
            self.out.problems.append(
                Problem(KEYS, "YAML merge keys are not supported", self.out.path, *where)
            )
        elif isinstance(key, list | dict):
            self.out.problems.append(
                Problem(REFUSED, "complex mapping keys (a list or mapping as a key) are not "
                        "supported", self.out.path, *where)
            )  # fmt: skip
        elif key in top.value:
            first = None if top.at is None else self.out.marks.get((*top.at, key), (None,))[0]
            self.out.problems.append(
                Problem(KEYS, f"duplicate key {key!r} (first defined on line {first})",
                        self.out.path, *where)
            )  # fmt: skip
        else:
            top.skip = False
            if top.at is not None:
                # A problem with an entry is reported where its key is written.
                self.out.marks[(*top.at, key)] = where

    def alias(self, event: yaml.AliasEvent) -> tuple[Any, int]:
        if event.anchor not in self.anchors:  # also an alias inside its own anchor
            raise self.refuse(f"found undefined alias {event.anchor!r}", event.start_mark, SYNTAX)
        value, size = self.anchors[event.anchor]
        self.aliased += size
        if self.aliased > ALIAS_BUDGET:
            raise self.refuse(
                f"aliases expand past {ALIAS_BUDGET} values in this file (alias *{event.anchor} "
                f"stands for {size}); refused as an alias bomb",
                event.start_mark,
            )
        return value, size

    def scalar(self, event: yaml.ScalarEvent, is_key: bool) -> Any:
        loader = self.loader
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag == _MERGE and is_key:
            return _Merge()
        if tag in (_MERGE, _VALUE):
            tag = _STR
        start: Mark = event.start_mark
        node = yaml.ScalarNode(tag, event.value, start, start, event.style)
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except Exception as exc:  # "2020-02-30", an int of 5000 digits: values PyYAML rejects
            msg = f"cannot read value {_short(event.value)}: {exc}"
            raise self.refuse(msg, event.start_mark, SYNTAX) from exc
        finally:
            loader.constructed_objects.pop(node, None)
            loader.recursive_objects.pop(node, None)


class _Merge:
    """The ``<<`` key: reported, never built into the data."""

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Merge)


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def schema_problems(doc: LocatedYaml, exc: ValidationError, code: str) -> list[Problem]:
    """A model's validation errors as located problems: ``key.path: message`` at that key."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        problems.append(doc.problem(code, f"{where}: {msg}" if where else msg, loc))
    return problems
