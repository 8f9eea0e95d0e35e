"""What a backup takes and where it goes: the local stack's defaults, every one overridable (tests use scratch ones)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tbms_tools import config, service_account

ENV_TARGET = "TBMS_BACKUP_TARGET"
ENV_KEY_FILE = "TBMS_BACKUP_KEYFILE"
ENV_DAILY_DAYS = "TBMS_BACKUP_DAILY_DAYS"
ENV_MONTHLY_YEARS = "TBMS_BACKUP_MONTHLY_YEARS"
ENV_COPY_BUCKET = "TBMS_BACKUP_COPY_BUCKET"
ENV_DATABASES = "TBMS_BACKUP_DATABASES"
ENV_CONFIG_PATHS = "TBMS_BACKUP_CONFIG_PATHS"
ENV_KEYCLOAK_H2 = "TBMS_BACKUP_KEYCLOAK_H2"
DAILY_DAYS_DEFAULT = 35
MONTHLY_YEARS_DEFAULT = 5
KEYCLOAK_DATABASE = "keycloak"  # production: Keycloak's tables live in this PostgreSQL database


def default_target() -> Path:
    """$TBMS_BACKUP_TARGET, else <state>/backups (locally only: production points it at another disk or site)."""
    return Path(os.environ.get(ENV_TARGET) or config.state_dir() / "backups")


def default_key_file() -> Path:
    """$TBMS_BACKUP_KEYFILE, else <state>/backup-keys/backup.key: never inside the backup target."""
    return Path(os.environ.get(ENV_KEY_FILE) or config.state_dir() / "backup-keys" / "backup.key")


def default_databases() -> dict[str, str]:
    """Role → database: $TBMS_BACKUP_DATABASES (role=database,…), else every service's tbms_<service>."""
    if listed := os.environ.get(ENV_DATABASES):
        pairs = [item.split("=", 1) for item in listed.split(",") if item]
        return {role.strip(): database.strip() for role, database in pairs}
    return {service: f"tbms_{service}" for service in config.SERVICES}


def default_config_paths() -> list[Path]:
    """$TBMS_BACKUP_CONFIG_PATHS (separated by ':'), else the compose file, deploy/, .env and the local realm."""
    if listed := os.environ.get(ENV_CONFIG_PATHS):
        return [Path(item) for item in listed.split(":") if item and Path(item).exists()]
    try:
        root = config.repo_root()
    except RuntimeError:
        return []
    candidates = [
        root / "docker-compose.yml",
        root / ".env",
        root / "deploy",
        config.state_dir() / "keycloak" / "tbms-realm.json",
    ]
    return [path for path in candidates if path.exists()]


def default_keycloak_h2() -> Path | None:
    """The local Keycloak's H2 store (start-dev keeps users and TOTP secrets there), when it exists.

    In production Keycloak keeps them in its PostgreSQL database `keycloak`, which is dumped with the others;
    $TBMS_BACKUP_KEYCLOAK_H2 set to an empty value turns the H2 part off.
    """
    if ENV_KEYCLOAK_H2 in os.environ:
        value = os.environ[ENV_KEYCLOAK_H2]
        return Path(value) if value else None
    h2 = config.keycloak_home() / "data" / "h2"
    return h2 if h2.is_dir() else None


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass
class S3:
    """An S3 endpoint (MinIO locally) with credentials; $TBMS_BACKUP_S3_* override the local stack's."""

    endpoint: str = field(default_factory=lambda: _env("TBMS_BACKUP_S3_ENDPOINT", f"{config.HOST}:{config.MINIO_PORT}"))
    access_key: str = field(default_factory=lambda: _env("TBMS_BACKUP_S3_ACCESS_KEY", config.S3_ACCESS_KEY))
    secret_key: str = field(default_factory=lambda: _env("TBMS_BACKUP_S3_SECRET_KEY", config.S3_SECRET_KEY))
    secure: bool = field(default_factory=lambda: _env("TBMS_BACKUP_S3_SECURE", "false").lower() == "true")
    ca_file: str = field(default_factory=lambda: _env("TBMS_BACKUP_S3_CA_FILE", ""))  # the internal CA (compose)

    def client(self):  # type: ignore[no-untyped-def]
        """A minio client for this endpoint (over HTTPS verified against `ca_file` when given)."""
        from tbms_core.object_store import s3_client

        return s3_client(self.endpoint, self.access_key, self.secret_key, secure=self.secure, ca_file=self.ca_file)


@dataclass
class BackupSettings:
    """One backup's sources and destination."""

    target: Path = field(default_factory=default_target)
    key_file: Path = field(default_factory=default_key_file)
    databases: dict[str, str] = field(default_factory=default_databases)
    buckets: list[str] = field(
        default_factory=lambda: [b for b in _env("TBMS_BACKUP_BUCKETS", config.S3_BUCKET).split(",") if b]
    )
    keycloak_h2: Path | None = field(default_factory=default_keycloak_h2)
    config_paths: list[Path] = field(default_factory=default_config_paths)
    s3: S3 = field(default_factory=S3)
    pg_host: str = field(default_factory=lambda: _env("TBMS_BACKUP_PG_HOST", config.HOST))
    pg_port: int = field(default_factory=lambda: int(_env("TBMS_BACKUP_PG_PORT", str(config.PG_PORT))))
    pg_user: str = field(default_factory=lambda: _env("TBMS_BACKUP_PG_USER", config.PG_USER))
    keycloak_url: str | None = field(
        default_factory=lambda: (
            os.environ.get("TBMS_BACKUP_KEYCLOAK_URL", f"http://{config.HOST}:{config.KEYCLOAK_PORT}") or None
        )
    )
    keycloak_admin: tuple[str, str] = field(
        default_factory=lambda: (
            _env("TBMS_BACKUP_KEYCLOAK_ADMIN_USER", config.KEYCLOAK_ADMIN[0]),
            _env("TBMS_BACKUP_KEYCLOAK_ADMIN_PASSWORD", config.KEYCLOAK_ADMIN[1]),
        )
    )
    # the live patients service a sample of patients is opened through at the backup (the drill opens them again)
    patients_url: str = field(
        default_factory=lambda: _env("TBMS_BACKUP_PATIENTS_URL", service_account.service_url("patients"))
    )
    copy_bucket: str | None = field(default_factory=lambda: os.environ.get(ENV_COPY_BUCKET) or None)
    # opens the people's document keys, so the hand-back gives each file as it was (reports' own setting)
    document_kek: str = field(default_factory=lambda: _env("TBMS_REPORTS_DOCUMENT_KEK", config.DOCUMENT_KEK))
    daily_days: int = field(default_factory=lambda: int(os.environ.get(ENV_DAILY_DAYS) or DAILY_DAYS_DEFAULT))
    monthly_years: int = field(default_factory=lambda: int(os.environ.get(ENV_MONTHLY_YEARS) or MONTHLY_YEARS_DEFAULT))

    def dsn(self, database: str) -> str:
        """asyncpg's connection string for one database."""
        return f"postgresql://{self.pg_user}@{self.pg_host}:{self.pg_port}/{database}"

    def sqlalchemy_url(self, database: str) -> str:
        """The services' form of the same (what identity's settings take)."""
        return f"postgresql+asyncpg://{self.pg_user}@{self.pg_host}:{self.pg_port}/{database}"

    def pg_args(self) -> list[str]:
        """Connection arguments of pg_dump, pg_restore and psql."""
        return ["-h", self.pg_host, "-p", str(self.pg_port), "-U", self.pg_user]


def with_keycloak_database(databases: dict[str, str], existing: set[str]) -> dict[str, str]:
    """Adds Keycloak's own database (production compose) when the server has one."""
    if KEYCLOAK_DATABASE in existing and "keycloak" not in databases:
        return {**databases, "keycloak": KEYCLOAK_DATABASE}
    return databases
