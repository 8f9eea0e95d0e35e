"""What a backup takes and where it goes: the local stack's defaults, every one overridable (tests use scratch ones)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tbms_tools import config

ENV_TARGET = "TBMS_BACKUP_TARGET"
ENV_KEY_FILE = "TBMS_BACKUP_KEY_FILE"
ENV_DAILY_DAYS = "TBMS_BACKUP_DAILY_DAYS"
ENV_MONTHLY_YEARS = "TBMS_BACKUP_MONTHLY_YEARS"
ENV_COPY_BUCKET = "TBMS_BACKUP_COPY_BUCKET"
DAILY_DAYS_DEFAULT = 35
MONTHLY_YEARS_DEFAULT = 5
KEYCLOAK_DATABASE = "keycloak"  # production: Keycloak's tables live in this PostgreSQL database


def default_target() -> Path:
    """$TBMS_BACKUP_TARGET, else <state>/backups (locally only: production points it at another disk or site)."""
    return Path(os.environ.get(ENV_TARGET) or config.state_dir() / "backups")


def default_key_file() -> Path:
    """$TBMS_BACKUP_KEY_FILE, else <state>/backup-keys/backup.key: never inside the backup target."""
    return Path(os.environ.get(ENV_KEY_FILE) or config.state_dir() / "backup-keys" / "backup.key")


def default_databases() -> dict[str, str]:
    """Role → database: every service's tbms_<service>."""
    return {service: f"tbms_{service}" for service in config.SERVICES}


def default_config_paths() -> list[Path]:
    """The deployment's configuration: the compose file, deploy/, the .env beside them, the local realm."""
    root = config.repo_root()
    candidates = [
        root / "docker-compose.yml",
        root / ".env",
        root / "deploy",
        config.state_dir() / "keycloak" / "tbms-realm.json",
    ]
    return [path for path in candidates if path.exists()]


def default_keycloak_h2() -> Path | None:
    """The local Keycloak's H2 store (start-dev keeps users and TOTP secrets there), when it exists."""
    h2 = config.keycloak_home() / "data" / "h2"
    return h2 if h2.is_dir() else None


@dataclass
class S3:
    """An S3 endpoint (MinIO locally) with credentials."""

    endpoint: str = f"{config.HOST}:{config.MINIO_PORT}"
    access_key: str = config.S3_ACCESS_KEY
    secret_key: str = config.S3_SECRET_KEY
    secure: bool = False

    def client(self):  # type: ignore[no-untyped-def]
        """A minio client for this endpoint."""
        from minio import Minio

        return Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key, secure=self.secure)


@dataclass
class BackupSettings:
    """One backup's sources and destination."""

    target: Path = field(default_factory=default_target)
    key_file: Path = field(default_factory=default_key_file)
    databases: dict[str, str] = field(default_factory=default_databases)
    buckets: list[str] = field(default_factory=lambda: [config.S3_BUCKET])
    keycloak_h2: Path | None = field(default_factory=default_keycloak_h2)
    config_paths: list[Path] = field(default_factory=default_config_paths)
    s3: S3 = field(default_factory=S3)
    pg_host: str = config.HOST
    pg_port: int = config.PG_PORT
    pg_user: str = config.PG_USER
    copy_bucket: str | None = field(default_factory=lambda: os.environ.get(ENV_COPY_BUCKET) or None)
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
