"""Hostile rule, list and gazetteer files: every one is a located problem with a code, in
bounded memory, never a traceback (issue 15, "Hostile input, measured")."""

from __future__ import annotations

import re
import shutil
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borderwatch.core.errors import Problem, RuleError
from borderwatch.core.yamlsrc import ALIAS_BUDGET, MAX_DEPTH, load_located
from borderwatch.streams.reading.gazetteer import Gazetteer
from borderwatch.streams.rules.load import load_rules

GOOD_RULE = b"""\
rules:
  - id: T-1
    title: test rule
    category: border_closure
    all:
      - phrase: ["@shut", border]
"""
GOOD_LIST = b"lists:\n  shut: {items: [close*, seal*]}\n"
GOOD_CROSSINGS = (
    b"crossings:\n"
    b"  - {id: kapikule, name: Kapikule, countries: [TUR, BGR], lat: 41.7, lon: 26.3}\n"
    b"  - {id: rafah, name: Rafah, countries: [EGY, PSE], lat: 31.2, lon: 34.2}\n"
)
GOOD_REGIONS = b"regions:\n  - {id: evros, name: Evros, country: GRC}\n"


def bomb(levels: int = 9, width: int = 9) -> bytes:
    """Billion laughs in YAML: each anchor is ``width`` aliases of the one before."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return ("\n".join(lines) + "\n").encode()


# name -> (bytes, code, line, col): where each hostile class must be reported.
HOSTILE: dict[str, tuple[bytes, str, int, int]] = {
    "alias bomb": (bomb(), "R013", 5, 10),
    "nul": (b"rules:\n  - id: T\x00-1\n", "R001", 2, 10),
    "esc": (b"rules:\n  - id: \x1b[31mT\n", "R001", 2, 9),
    "del": (b"rules:\n  - id: T\x7f\n", "R001", 2, 10),
    "U+FFFE": ("rules:\n  - id: T\ufffe\n".encode(), "R001", 2, 10),
    "deep flow": (b"rules: " + b"[" * 900 + b"]" * 900 + b"\n", "R013", 1, 8 + MAX_DEPTH - 1),
    "deep block": (
        "".join("  " * i + f"k{i}:\n" for i in range(900)).encode(),
        "R013",
        MAX_DEPTH + 1,
        2 * MAX_DEPTH + 1,
    ),
    "flow key": (b"rules: []\n[a, b]: x\n", "R013", 2, 1),
    "explicit key": (b"rules: []\n? {a: 1}\n: x\n", "R013", 2, 3),
    "invalid utf-8": (b"rules:\n  - id: caf\xe9-1\n", "R001", 2, 12),
    "empty": (b"", "R003", 1, 1),
    "comment only": (b"# rules to come\n", "R003", 1, 1),
    "impossible date": (b"rules:\n  - id: 2020-02-30\n", "R001", 2, 9),
    "recursive alias": (b"rules: &r [*r]\n", "R001", 1, 12),
    "set tag": (b"rules: !!set {a, b}\n", "R013", 1, 8),
    "merge key": (b"base: &b {x: 1}\nrules:\n  <<: *b\n", "R002", 3, 3),
}


def located(problem: Problem) -> bool:
    return (
        problem.path is not None
        and problem.line is not None
        and problem.col is not None
        and re.fullmatch(r"[A-Z]\d{3}", problem.code) is not None
    )


def rule_problems(directory: Path) -> list[Problem]:
    try:
        load_rules([directory])
    except RuleError as exc:
        return exc.problems
    return []


def gazetteer_problems(directory: Path) -> list[Problem]:
    try:
        Gazetteer.load(directory)
    except RuleError as exc:
        return exc.problems
    return []


@pytest.mark.parametrize("where", ["rules.yaml", "lists/l.yaml", "gazetteers/crossings.yaml"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_yaml_is_a_located_problem(tmp_path: Path, name: str, where: str) -> None:
    data, code, line, col = HOSTILE[name]
    (tmp_path / "lists").mkdir()
    (tmp_path / "gazetteers").mkdir()
    (tmp_path / "rules.yaml").write_bytes(GOOD_RULE)
    (tmp_path / "lists" / "l.yaml").write_bytes(GOOD_LIST)
    (tmp_path / where).write_bytes(data)
    if where.startswith("gazetteers"):
        found = gazetteer_problems(tmp_path / "gazetteers")
    else:
        found = rule_problems(tmp_path)
    path = tmp_path / where
    mine = [p for p in found if p.path == path]
    assert mine, found
    assert (mine[0].code, mine[0].line, mine[0].col) == (code, line, col), str(mine[0])
    assert all(located(p) for p in found), [str(p) for p in found]


def test_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """9**12 values if expanded; refused after a budget of aliases, in a few MB at most."""
    path = tmp_path / "bomb.yaml"
    path.write_bytes(bomb(levels=12))
    tracemalloc.start()
    try:
        doc = load_located(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (problem,) = doc.problems
    assert problem.code == "R013" and "alias bomb" in problem.message
    assert peak < 20 * 1024 * 1024


def test_aliases_within_the_budget_still_work(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    rule = "  - {id: T-%d, title: t, category: border_closure, all: [{phrase: *w}]}\n"
    path.write_text("words: &w [close*, seal*]\nrules:\n" + rule % 1 + rule % 2, encoding="utf-8")
    doc = load_located(path)
    assert not doc.problems
    assert doc.data["rules"][1]["all"][0]["phrase"] == ["close*", "seal*"]
    # A problem inside an aliased value is reported where its key is written (the alias
    # stands for values written elsewhere, so none of them gets a mark of its own).
    assert doc.locate(("rules", 1, "all", 0, "phrase", 1)) == (4, (rule % 2).index("phrase") + 1)
    assert ALIAS_BUDGET >= 1000


def test_duplicate_gazetteer_id_has_a_line(tmp_path: Path) -> None:
    (tmp_path / "crossings.yaml").write_bytes(GOOD_CROSSINGS)
    (tmp_path / "regions.yaml").write_bytes(
        b"regions:\n  - {id: evros, name: Evros, country: GRC}\n"
        b"  - {id: rafah, name: Rafah area, country: EGY}\n"
    )
    (problem,) = gazetteer_problems(tmp_path)
    assert (problem.code, problem.path, problem.line) == ("R014", tmp_path / "regions.yaml", 3)
    assert "also at crossings.yaml:3" in problem.message


def test_empty_gazetteer_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "regions.yaml").write_bytes(b"# none yet\n")
    (problem,) = gazetteer_problems(tmp_path)
    assert str(problem) == f"{tmp_path / 'regions.yaml'}:1:1: [R003] file is empty"


def test_a_directory_named_like_a_rule_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_bytes(GOOD_RULE.replace(b'"@shut", ', b""))
    (tmp_path / "old.yaml").mkdir()
    (tmp_path / "gazetteers" / "x.yaml").mkdir(parents=True)
    assert len(load_rules([tmp_path]).rules) == 1


# Fragments a hostile or careless edit puts into a file, spliced in at random offsets.
FRAGMENTS = [
    bomb(),
    b"\x00",
    b"\x1b[0m",
    b"\x7f",
    "\ufffe".encode(),
    "\ud800".encode("utf-8", "surrogatepass"),
    b"\xff\xfe",
    b"\xe9",
    b"[" * 300,
    b"{a: " * 300,
    b"\n" + b"".join(b"  " * i + b"k:\n" for i in range(120)),
    b"\n[a, b]: x\n",
    b"\n? {a: 1}\n: x\n",
    b"&a ",
    b"*a",
    b"*nope",
    b"<<: ",
    b"!!set ",
    b"!!python/object:os.system ",
    b"!!binary ",
    b"2020-02-30",
    b"9" * 5000,
    b"---\n",
    b"...\n",
    b"\t",
    b"'",
    b'"',
    b": ",
    b"- ",
    b"#",
    b"@",
    b"\r",
    b"\n",
    b"  ",
]


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    for pos, frag, cut in edits:
        at = pos % (len(data) + 1)
        data = data[:at] + FRAGMENTS[frag % len(FRAGMENTS)] + data[at + cut % 4 :]
    return data


EDITS = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 1000), st.integers(0, 3)),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rule=EDITS, lists=st.one_of(st.none(), EDITS), gaz=st.one_of(st.none(), EDITS))
def test_mutated_rule_dirs_never_crash_and_every_problem_is_located(
    rule: list[tuple[int, int, int]],
    lists: list[tuple[int, int, int]] | None,
    gaz: list[tuple[int, int, int]] | None,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "lists").mkdir()
        (root / "gazetteers").mkdir()
        (root / "rules.yaml").write_bytes(mutate(GOOD_RULE, rule))
        (root / "lists" / "l.yaml").write_bytes(mutate(GOOD_LIST, lists) if lists else GOOD_LIST)
        crossings = mutate(GOOD_CROSSINGS, gaz) if gaz else GOOD_CROSSINGS
        (root / "gazetteers" / "crossings.yaml").write_bytes(crossings)
        (root / "gazetteers" / "regions.yaml").write_bytes(GOOD_REGIONS)
        found = rule_problems(root) + gazetteer_problems(root / "gazetteers")
        assert all(located(p) for p in found), [str(p) for p in found]


def test_shipped_rules_survive_the_same_mutations(tmp_path: Path) -> None:
    """The shipped rules directory, with one fragment of each kind in each file."""
    from tests.support.fixtures import RULES

    for n in range(len(FRAGMENTS)):
        root = tmp_path / str(n)
        shutil.copytree(RULES, root)
        for i, path in enumerate(sorted(root.rglob("*.yaml"))):
            data = path.read_bytes()
            path.write_bytes(mutate(data, [((i + 1) * 977 + n * 131, n, n)]))
        found = rule_problems(root) + gazetteer_problems(root / "gazetteers")
        assert found and all(located(p) for p in found), [str(p) for p in found]
