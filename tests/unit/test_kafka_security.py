"""SASL/TLS settings for a managed Kafka: validated up front, rendered by one KafkaConnection
for every client, and the password never shown. No SASL or TLS broker runs here (Tansu 0.6's
--cert/--key options cannot be combined), so these check what each client is given, not a
handshake."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError

from borderwatch.core.errors import BrokerError
from borderwatch.core.settings import Settings
from borderwatch.streams.detect import Detector
from borderwatch.streams.worker.app import create_app, faust_credentials
from tests.support.fixtures import FIXTURES

CA = FIXTURES / "tls" / "ca.pem"
PASSWORD = "s3cret-sasl-password"


def _managed(**extra: object) -> Settings:
    values: dict[str, object] = {
        "kafka_bootstrap": "broker-1.example.net:9096",
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": "borderwatch",
        "kafka_sasl_password": PASSWORD,
        "kafka_ssl_cafile": CA,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def test_sasl_without_its_password_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="SASL_SSL needs kafka_sasl_password"):
        _managed(kafka_sasl_password=None)


def test_a_missing_ca_file_is_named() -> None:
    with pytest.raises(ValidationError, match=r"kafka_ssl_cafile: no such file: /nowhere/ca\.pem"):
        _managed(kafka_ssl_cafile=Path("/nowhere/ca.pem"))


def test_kafka_python_clients_get_sasl_and_a_verifying_tls_context() -> None:
    options = _managed().kafka.kafka_python()
    assert options["bootstrap_servers"] == "broker-1.example.net:9096"
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "borderwatch"
    assert options["sasl_plain_password"] == PASSWORD
    context = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert any("127.0.0.1" in str(c.get("subject")) for c in context.get_ca_certs())
    plain = Settings(kafka_bootstrap="a:9092,b:9092").kafka
    assert plain.kafka_python() == {"bootstrap_servers": "a:9092,b:9092",
                                    "security_protocol": "PLAINTEXT"}  # fmt: skip
    assert plain.broker_urls() == ["kafka://a:9092", "kafka://b:9092"]
    with pytest.raises(BrokerError, match="K003"):
        Settings().kafka.kafka_python()  # unset: the embedded broker, never a client's guess


def test_the_faust_worker_gets_the_same_credentials(detector: Detector) -> None:
    settings = _managed()
    credentials = faust_credentials(settings.kafka)
    assert credentials is not None
    assert credentials.protocol.value == "SASL_SSL"
    assert credentials.mechanism.value == "SCRAM-SHA-512"  # type: ignore[attr-defined]
    app = create_app(settings, detector)
    assert app.conf.broker_credentials is credentials or (
        app.conf.broker_credentials.protocol.value == "SASL_SSL"  # type: ignore[union-attr]
    )
    tls_only = faust_credentials(_managed(kafka_security_protocol="SSL").kafka)
    assert tls_only is not None and tls_only.protocol.value == "SSL"
    assert faust_credentials(Settings().kafka) is None


def test_the_password_is_never_shown_and_reaches_only_the_worker_env() -> None:
    settings = _managed()
    connection = settings.kafka
    for shown in (repr(settings), str(settings), settings.model_dump_json(), repr(connection),
                  connection.model_dump_json()):  # fmt: skip
        assert PASSWORD not in shown
    assert PASSWORD not in settings.child_env().values()
    worker_env = settings.child_env(secrets=("kafka_sasl_password",))
    assert worker_env["BORDERWATCH_KAFKA_SASL_PASSWORD"] == PASSWORD
