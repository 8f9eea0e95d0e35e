"""Each service records its own start (version, migration, settings digest) for the change log (N28)."""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import socket
from importlib import metadata

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from tbms_contracts.audit import DeploymentRecorded

from tbms_core import outbox
from tbms_core.db import Database, utcnow
from tbms_core.events import Envelope
from tbms_core.settings import ServiceSettings

log = logging.getLogger(__name__)


def settings_digest(settings: ServiceSettings) -> str:
    """SHA-256 of the settings with every secret left out (a changed secret is not shown, only its presence)."""
    values = {
        name: ("<secret>" if isinstance(value, SecretStr) else value)
        for name, value in settings.model_dump(mode="python").items()
    }
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def version_of(service: str) -> str:
    """The deployed version: $TBMS_VERSION (set by the image build), else the package's own version."""
    if version := os.environ.get("TBMS_VERSION"):
        return version
    try:
        return metadata.version(f"tbms-{service}")
    except metadata.PackageNotFoundError:
        return "unknown"


def started_by() -> str:
    """Who deployed: $TBMS_DEPLOYED_BY (the deployment sets it), else the operating-system user."""
    if person := os.environ.get("TBMS_DEPLOYED_BY"):
        return person
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


async def record_start(service: str, settings: ServiceSettings, db: Database) -> None:
    """Writes the start into the outbox in one transaction; identity stores it in the change log."""
    try:
        async with db.session() as session:
            migration = await session.scalar(text("SELECT version_num FROM alembic_version LIMIT 1"))
            event = DeploymentRecorded(
                started_at=utcnow(),
                service=service,
                environment=settings.environment,
                version=version_of(service),
                commit=os.environ.get("TBMS_COMMIT", ""),
                migration=migration or "",
                host=socket.gethostname(),
                started_by=started_by(),
                settings_digest=settings_digest(settings),
            )
            envelope = Envelope.of(event, aggregate_id=service, actor=event.started_by)
            # under the service's own audit subjects, the only ones its NATS user may publish to
            await outbox.add(session, envelope, subject=f"tbms.audit.{service}.deployment.recorded.v1")
    except SQLAlchemyError:
        log.exception("could not record the start of %s in the change log", service)
