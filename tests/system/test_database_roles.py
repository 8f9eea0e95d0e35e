"""Each running service uses its own database role: it reaches no other service's database, cannot change the
schema or switch a trigger off, and cannot delete or rewrite the operation history (issue 18: one role per
service; N05's tamper protection)."""

from __future__ import annotations

import asyncpg
import pytest
from tbms_core.db_roles import runtime_role
from tbms_tools import config

SERVICES_WITH_DATABASES = ("gateway", "patients", "contacts", "reports", "search", "identity", "masters", "workflow")


async def connect_as(role: str, database: str) -> asyncpg.Connection:
    """A connection to the local PostgreSQL as a role (local authentication trusts the role's name)."""
    return await asyncpg.connect(host=config.HOST, port=config.PG_PORT, user=role, database=database)


async def test_every_running_service_connects_with_its_own_role_only() -> None:
    owner = await connect_as(config.PG_USER, "postgres")
    try:
        rows = await owner.fetch(
            "SELECT DISTINCT usename, datname FROM pg_stat_activity WHERE datname = ANY($1::text[])"
            " AND usename <> $2 AND backend_type = 'client backend'",
            [f"tbms_{service}" for service in SERVICES_WITH_DATABASES],
            config.PG_USER,
        )
    finally:
        await owner.close()
    seen = {(row["usename"], row["datname"]) for row in rows}
    assert seen, "no service is connected"
    for role, database in seen:
        assert role == runtime_role(database.removeprefix("tbms_")), f"{role} is connected to {database}"


@pytest.mark.req("N09", partial=True)
@pytest.mark.parametrize("service", SERVICES_WITH_DATABASES)
async def test_a_services_role_cannot_connect_to_another_services_database(service: str) -> None:
    own = await connect_as(runtime_role(service), f"tbms_{service}")
    await own.close()
    for other in SERVICES_WITH_DATABASES:
        if other != service:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connect_as(runtime_role(service), f"tbms_{other}")


@pytest.mark.req("N05", partial=True)
async def test_identitys_role_can_add_to_the_history_but_not_delete_rewrite_or_unprotect_it() -> None:
    identity = await connect_as(runtime_role("identity"), "tbms_identity")
    try:
        assert await identity.fetchval("SELECT count(*) FROM audit_events") >= 0
        refused = (
            "DELETE FROM audit_events WHERE seq = (SELECT min(seq) FROM audit_events)",
            "UPDATE audit_events SET hash = hash",
            "TRUNCATE audit_events",
            "UPDATE audit_chain_checkpoint SET seq = seq",
            "DELETE FROM login_events",
            "ALTER TABLE audit_events DISABLE TRIGGER ALL",
            "DROP TRIGGER tr_audit_events_no_update_delete ON audit_events",
            "CREATE TABLE intruder (id int)",
        )
        for statement in refused:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await identity.execute(statement)
    finally:
        await identity.close()


async def test_a_services_role_cannot_change_its_own_schema() -> None:
    patients = await connect_as(runtime_role("patients"), "tbms_patients")
    try:
        for statement in ("CREATE TABLE intruder (id int)", "ALTER TABLE patients ADD COLUMN intruder int"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await patients.execute(statement)
    finally:
        await patients.close()
