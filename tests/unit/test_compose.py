"""docker-compose.yml cannot be run here (no Docker engine), so it is checked statically:
against the Compose Specification's JSON Schema (vendored by check-jsonschema), and every
service command against the real CLI."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
import yaml
from typer.main import get_command

from borderwatch.cli import app
from tests.support.fixtures import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def compose_schema() -> dict[str, Any]:
    vendor = resources.files("check_jsonschema.builtin_schemas").joinpath("vendor")
    return json.loads(vendor.joinpath("compose-spec.json").read_text(encoding="utf-8"))


def test_compose_file_matches_the_compose_specification() -> None:
    jsonschema.validate(COMPOSE, compose_schema())


def test_the_schema_check_would_catch_a_mistake() -> None:
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["worker"]["restart_policy"] = "always"  # not a service key
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, compose_schema())


def test_every_service_command_exists_in_the_cli() -> None:
    cli = get_command(app)
    commands = set(cli.commands)  # type: ignore[attr-defined]
    used = []
    for name, service in COMPOSE["services"].items():
        command = service.get("command")
        if command is None:
            continue
        assert command[0] == "borderwatch", name
        used.append(command[1])
        assert command[1] in commands, f"service {name} runs unknown command {command[1]!r}"
    assert {"topics", "worker", "poll", "notify"} <= set(used)


def test_state_is_on_volumes_and_secrets_come_from_env_file() -> None:
    shared = COMPOSE["x-borderwatch"]
    assert ".env" in shared["env_file"]
    assert any(str(v).startswith("state:") for v in shared["volumes"])
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "xoxb-" not in text and "SLACK_TOKEN:" not in text
    kafka = COMPOSE["services"]["kafka"]
    assert ":" in kafka["image"] and not kafka["image"].endswith(":latest")
    assert "healthcheck" in kafka


def test_every_key_in_the_env_example_is_a_setting() -> None:
    """A typo in the example would be copied into every operator's .env."""
    from borderwatch.core.settings import ENV_PREFIX, Settings

    keys = [
        line.lstrip("# ").split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.lstrip("# ").startswith(ENV_PREFIX)
    ]
    assert "BORDERWATCH_KAFKA_SASL_PASSWORD" in keys
    unknown = [k for k in keys if k[len(ENV_PREFIX) :].lower() not in Settings.model_fields]
    assert not unknown
