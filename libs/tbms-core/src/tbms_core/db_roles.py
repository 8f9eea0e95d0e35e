"""Each service runs as a PostgreSQL role of its own that reads and writes rows of its own database and nothing
else: it cannot connect to another service's database, change the schema, switch a trigger off or purge the
operation history. Migrations (and the history's purge) run as the database's owner; after them, this grants the
run-time role what it needs.

    python -m tbms_core.db_roles <service>   # owner URL from TBMS_<SERVICE>_MIGRATION_DATABASE_URL,
                                             # the role's password from TBMS_<SERVICE>_DATABASE_PASSWORD
"""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg

# Tables the run-time role may not change as it changes the others: the operation and login history are
# append-only for it (a purge after the retention period runs as the owner, through identity's own command), and so
# are the versions of the gateway's edited texts (a save adds one; none is rewritten).
LIMITED: dict[str, dict[str, str]] = {
    "gateway": {"help_text_versions": "SELECT, INSERT"},
    "identity": {
        "audit_events": "SELECT, INSERT",
        "audit_chain_checkpoint": "SELECT",
        "login_events": "SELECT, INSERT",
    },
}


def runtime_role(service: str) -> str:
    """The run-time role of a service."""
    return f"tbms_{service}_app"


def _name(identifier: str) -> str:
    """An identifier quoted for SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def grants(service: str, database: str, owner: str) -> list[str]:
    """The statements that leave the run-time role exactly its rights on the database (idempotent)."""
    role, db, owner_name = _name(runtime_role(service)), _name(database), _name(owner)
    statements = [
        f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_name} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_name} IN SCHEMA public "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]
    for table, allowed in LIMITED.get(service, {}).items():
        statements += [f"REVOKE ALL ON {_name(table)} FROM {role}", f"GRANT {allowed} ON {_name(table)} TO {role}"]
    return statements


async def grant_runtime_role(owner_url: str, service: str, password: str | None = None) -> str:
    """Creates the run-time role when missing (with its password, when given) and grants its rights; returns it."""
    dsn = owner_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        role = runtime_role(service)
        exists = await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        if not exists:
            await connection.execute(f"CREATE ROLE {_name(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        if password:
            literal = await connection.fetchval("SELECT quote_literal($1)", password)
            await connection.execute(f"ALTER ROLE {_name(role)} PASSWORD {literal}")
        database = await connection.fetchval("SELECT current_database()")
        owner = await connection.fetchval("SELECT current_user")
        for table in LIMITED.get(service, {}):
            if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", f"public.{table}"):
                raise RuntimeError(f"{service}: table {table} is missing: run the migrations first")
        async with connection.transaction():
            for statement in grants(service, database, owner):
                await connection.execute(statement)
        return role
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    """Grants the run-time role of the service named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tbms_core.db_roles <service>", file=sys.stderr)
        return 2
    service = args[0]
    key = f"TBMS_{service.upper()}_"
    owner_url = os.environ.get(f"{key}MIGRATION_DATABASE_URL")
    if not owner_url:
        print(f"{key}MIGRATION_DATABASE_URL is not set", file=sys.stderr)
        return 2
    role = asyncio.run(grant_runtime_role(owner_url, service, os.environ.get(f"{key}DATABASE_PASSWORD") or None))
    print(f"tbms-{service}: run-time role {role} granted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
