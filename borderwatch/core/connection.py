"""Where the brokers are and how to log in to them, rendered for each client library.

Kept apart from ``settings`` and ``kafka`` so the settings can hand out this view
(``Settings.kafka``) and the Kafka helpers can use it without the two importing each other.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr

from borderwatch.core.errors import BrokerError, Codes, Problem

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class KafkaConnection(BaseModel):
    """The brokers and the login to them, as the settings give them (``Settings.kafka``).

    The settings validate the combination (a SASL protocol has its mechanism, user and
    password; a client certificate has its key; the files exist); this view renders it. The
    password stays a ``SecretStr`` until a client needs it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    bootstrap: str | None = None
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    @property
    def servers(self) -> str:
        """``host:port[,host:port]``; a BrokerError when none is configured."""
        if not self.bootstrap:
            raise BrokerError(Problem.of(Codes.K003))
        return self.bootstrap

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    def sasl_login(self) -> tuple[str, str, str] | None:
        """(mechanism, username, password) for a SASL protocol, else None."""
        if not self.uses_sasl:
            return None
        # The settings validator made sure all three are there.
        assert self.sasl_mechanism and self.sasl_username and self.sasl_password is not None
        return self.sasl_mechanism, self.sasl_username, self.sasl_password.get_secret_value()

    def ssl_context(self) -> ssl.SSLContext | None:
        """For TLS protocols: the system CAs, or the configured bundle, plus an optional client
        certificate. One construction, so the kafka-python clients and faust verify alike."""
        if self.security_protocol not in ("SSL", "SASL_SSL"):
            return None
        context = ssl.create_default_context(
            cafile=str(self.ssl_cafile) if self.ssl_cafile else None
        )
        if self.ssl_certfile and self.ssl_keyfile:
            context.load_cert_chain(str(self.ssl_certfile), str(self.ssl_keyfile))
        return context

    def kafka_python(self) -> dict[str, Any]:
        """Keyword arguments for any kafka-python client: servers and security."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.servers,
            "security_protocol": self.security_protocol,
        }
        context = self.ssl_context()
        if context is not None:
            options["ssl_context"] = context
        login = self.sasl_login()
        if login is not None:
            options.update(zip(("sasl_mechanism", "sasl_plain_username",
                                "sasl_plain_password"), login, strict=True))  # fmt: skip
        return options

    def broker_urls(self) -> list[str]:
        """The servers as faust wants them: ``kafka://host:port`` each."""
        return [f"kafka://{host.strip()}" for host in self.servers.split(",") if host.strip()]
