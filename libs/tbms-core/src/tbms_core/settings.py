"""Settings bases: every process reads `TBMS_<SERVICE>_*` variables and refuses local defaults in production."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tbms_core.events import PARKED_RETENTION_DAYS

LOCAL = "local"
PG_LOCAL = "postgresql+asyncpg://tbms@127.0.0.1:55432"


class InsecureDefault(ValueError):
    """A secret was left at its local-development value outside local development."""


# Names an attacker tries first, and the development realm's accounts: never an account of production (N28).
DEFAULT_ACCOUNT_NAMES = frozenset(
    {"admin", "administrator", "root", "superuser", "minioadmin", "keycloak", "postgres", "grafana", "test", "demo"}
    | {"guest", "user", "tbms-local", "nurse1", "clerk1", "chief1", "admin1", "viewer1"}
)
ACCOUNT_FIELD_ENDINGS = ("_user", "_username", "_access_key")


def is_default_account_name(name: str) -> bool:
    """True for a name like a default or development account (admin, root, minioadmin, nurse1 …)."""
    return name.strip().lower() in DEFAULT_ACCOUNT_NAMES


class AppSettings(BaseSettings):
    """What every tbms process needs: where it runs, the identity provider, telemetry; no default secrets."""

    model_config = SettingsConfigDict(extra="ignore")
    service: ClassVar[str] = ""

    environment: str = LOCAL
    oidc_issuer: str = "http://127.0.0.1:58080/realms/tbms"
    oidc_audience: str = "tbms-api"
    span_file_dir: Path | None = None

    @model_validator(mode="after")
    def _guard(self) -> AppSettings:
        if self.environment != LOCAL:
            self._refuse_default_secrets()
        return self

    def _refuse_default_secrets(self) -> None:
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr) and isinstance(field.default, SecretStr):
                if value.get_secret_value() == field.default.get_secret_value():
                    raise InsecureDefault(
                        f"TBMS_{self.service.upper()}_{name.upper()} has its local default; set a real secret"
                    )
            plain = value.get_secret_value() if isinstance(value, SecretStr) else value
            if name.endswith(ACCOUNT_FIELD_ENDINGS) and isinstance(plain, str) and is_default_account_name(plain):
                raise InsecureDefault(
                    f"TBMS_{self.service.upper()}_{name.upper()} is a default or development account name "
                    f"({plain!r}); name the account after its purpose"
                )

    @property
    def is_local(self) -> bool:
        """True in local development and tests."""
        return self.environment == LOCAL


class ServiceSettings(AppSettings):
    """A back-end service: additionally its own database, the broker and the outbox relay."""

    database_url: str = ""
    nats_url: str = "nats://127.0.0.1:54222"  # a JetStream cluster: its nodes' URLs separated by commas
    nats_stream_replicas: int = Field(1, ge=1, le=5)  # copies of each stream a service creates (3 on a cluster)
    nats_ca_file: str = ""  # the internal CA that signed the NATS server's certificate (tls:// URLs in production)
    outbox_poll_seconds: float = 2.0
    # false: this process serves and consumes but publishes nothing; `python -m tbms_core.relay_process <service>`
    # relays the outbox in a process of its own (docs/service-guide.md)
    outbox_relay: bool = True
    db_pool_size: int = 10
    durable_suffix: str = ""  # tests run beside the dev stack under their own consumer names
    consumer_max_deliveries: int = 5  # then the event is parked for a replay, never dropped
    consumer_retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)  # after the 1st, 2nd… failure; last repeats
    consumer_ack_wait_seconds: float = 30.0  # a handler still busy after this is presumed dead: redelivered
    outbox_max_attempts: int = 10  # failed publications of one event before it is parked and skipped
    parked_retention_days: float = PARKED_RETENTION_DAYS  # how long parked events wait for a replay
    outbox_retention_days: float = 45.0  # published outbox rows, then deleted (pending and parked ones never)
    inbox_retention_days: float = 45.0  # inbox claims; must outlive the streams' 30 days
    event_retention_sweep_seconds: float = 3600.0  # how often both are swept (0: never)
    # A service publishing deadlines looks this often for records not yet computed on Japan's today (0: never);
    # after the day turns, the first look recomputes them all once, the later ones find nothing to do.
    deadline_sweep_seconds: float = 600.0
    # A copy restored from a backup that the restore drill opens (docs/recovery.md): it never connects to NATS (no
    # streams, relay, consumers, start record, background sweeps), so its outbox is never published and the live
    # durable consumers keep their messages; it serves reads of the restored database and nothing else.
    restored_copy: bool = False

    @model_validator(mode="after")
    def _fill_database(self) -> ServiceSettings:
        if not self.database_url:
            if self.environment != LOCAL:
                raise InsecureDefault(f"TBMS_{self.service.upper()}_DATABASE_URL must be set outside local")
            self.database_url = f"{PG_LOCAL}/tbms_{self.service}"
        return self


def prefix(service: str) -> SettingsConfigDict:
    """The settings config for one service: env prefix `TBMS_<SERVICE>_`."""
    return SettingsConfigDict(env_prefix=f"TBMS_{service.upper()}_", extra="ignore")
