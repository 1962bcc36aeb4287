"""The settings file: a pydantic-settings source below the environment, its problems located
``path:line:col`` like every other YAML file's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from borderwatch.core.errors import BorderwatchError
from borderwatch.core.settings import load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("BORDERWATCH_"):
            monkeypatch.delenv(name)


def problems(path: Path, text: str) -> list[str]:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BorderwatchError) as info:
        load_settings(path)
    return [str(p) for p in info.value.problems]


def test_an_unknown_key_is_located_and_a_near_name_suggested(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    got = problems(path, "app_id: bw\n  # a comment\nkafka_bootstrapp: b:9092\n")
    assert got == [
        f"{path}:3:1: [C003] kafka_bootstrapp: unknown setting (did you mean 'kafka_bootstrap'?)"
    ]


def test_a_wrong_type_is_located_at_its_key_even_when_nested(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    got = problems(
        path,
        "feed_max_bytes: lots\nslack_routes:\n  - channel: '#a'\n    min_severity: huge\n",
    )
    assert got[0].startswith(f"{path}:1:1: [C003] feed_max_bytes: Input should be a valid integer")
    assert got[1].startswith(f"{path}:4:5: [C003] slack_routes.0.min_severity: Input should be")
    assert len(got) == 2


def test_syntax_errors_and_a_non_mapping_are_located(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    (syntax,) = problems(path, "app_id: bw\nfeeds: [\n")
    assert syntax.startswith(f"{path}:3:1: [C001] cannot read settings: YAML syntax error")
    (duplicate,) = problems(path, "app_id: a\napp_id: b\n")
    assert duplicate.startswith(f"{path}:2:1: [C001] cannot read settings: duplicate key")
    assert problems(path, "- app_id\n") == [f"{path}:1:1: [C002] settings file must be a mapping"]
    absent = tmp_path / "absent.yaml"
    with pytest.raises(BorderwatchError) as info:
        load_settings(absent)
    assert str(info.value) == f"{absent}: [C001] cannot read settings: No such file or directory"


def test_the_environment_wins_over_the_file_and_options_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("app_id: from-file\ntopic_prefix: file.\nfeed_per_host: 3\n", encoding="utf-8")
    monkeypatch.setenv("BORDERWATCH_TOPIC_PREFIX", "env.")
    monkeypatch.setenv("BORDERWATCH_APP_ID", "from-env")
    settings = load_settings(path, app_id="from-option", console=None)
    assert (settings.app_id, settings.topic_prefix, settings.feed_per_host) == (
        "from-option", "env.", 3,
    )  # fmt: skip
    monkeypatch.setenv("BORDERWATCH_CONFIG", str(path))
    assert load_settings().feed_per_host == 3  # the file named by the environment


def test_a_bad_environment_value_is_named_by_its_variable_not_blamed_on_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.yaml"
    monkeypatch.setenv("BORDERWATCH_FEED_MAX_BYTES", "12")
    got = problems(path, "feed_max_bytes: 2048\nfeed_per_host: 0\n")
    assert (
        got[0] == "[C003] BORDERWATCH_FEED_MAX_BYTES: Input should be greater than or equal to 1024"
    )
    assert got[1].startswith(f"{path}:2:1: [C003] feed_per_host: Input should be greater")
    monkeypatch.setenv("BORDERWATCH_FEEDS", "not json")
    (bad_json,) = problems(path, "")
    assert bad_json.startswith("[C003] environment:") and "feeds" in bad_json
