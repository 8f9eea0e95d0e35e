"""Master records of every kind with their edit history; the five districts move in as kind `district`.

Search by part of a name or カナ uses a trigram index (pg_trgm). Where the extension cannot be created (not
installed, or no right to create it) the index is a plain b-tree on (kind, search_key): searches still work,
by scanning the kind's rows.
"""

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from tbms_contracts.masters import record_id
from tbms_core.jp.text import search_key

revision, down_revision, branch_labels, depends_on = "0002", "0001", None, None

# The districts were in force before anything this system holds; their start is a fixed early day.
DISTRICTS_SINCE = date(2000, 1, 1)


def _trigram_available(bind: sa.Connection) -> bool:
    """Creates pg_trgm if it can; False when the server lacks it or refuses (the migration goes on)."""
    if not bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first():
        return False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError:
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    records = op.create_table(
        "master_records",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kana", sa.String(200), nullable=False, server_default=""),
        sa.Column("search_key", sa.Text(), nullable=False, server_default=""),
        sa.Column("data", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_master_records"),
        sa.UniqueConstraint("kind", "code", name="uq_master_records_kind_code"),
    )
    op.create_index(
        "ix_master_records_kind_code_pattern",
        "master_records",
        ["kind", "code"],
        postgresql_ops={"code": "text_pattern_ops"},
    )
    if _trigram_available(bind):
        op.create_index(
            "ix_master_records_search_key_trgm",
            "master_records",
            ["search_key"],
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        )
    else:
        op.create_index("ix_master_records_kind_search_key", "master_records", ["kind", "search_key"])
    versions = op.create_table(
        "master_record_versions",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("record_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_by_name", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_master_record_versions"),
        sa.ForeignKeyConstraint(["record_id"], ["master_records.id"], name="fk_master_record_versions_record"),
        sa.UniqueConstraint("record_id", "version", name="uq_master_record_versions_record_version"),
    )
    _move_districts(bind, records, versions)
    op.drop_table("districts")


def _move_districts(bind: sa.Connection, records: sa.Table, versions: sa.Table) -> None:
    """The districts table's rows become `district` records, each with a first history entry."""
    rows = bind.exec_driver_sql("SELECT code, name, sort_order FROM districts ORDER BY sort_order").all()
    moved, entries, moment = [], [], datetime.now(UTC)
    for code, name, sort_order in rows:
        data = {"sort_order": sort_order, "team": "", "areas": ""}
        key = record_id("district", code)
        moved.append(
            {
                "id": key,
                "kind": "district",
                "code": code,
                "name": name,
                "kana": "",
                "search_key": f"{search_key(name)}\n",
                "data": data,
                "valid_from": DISTRICTS_SINCE,
                "version": 1,
                "updated_by": "",
            }
        )
        entries.append(
            {
                "id": uuid.uuid4(),
                "record_id": key,
                "version": 1,
                "changed_at": moment,
                "changed_by": "",
                "changed_by_name": "移行",
                "reason": "地区の一覧をマスタ管理に移しました。",
                "changes": {"name": [None, name], "sort_order": [None, sort_order]},
            }
        )
    if moved:
        op.bulk_insert(records, moved)
        op.bulk_insert(versions, entries)


def downgrade() -> None:
    bind = op.get_bind()
    table = op.create_table(
        "districts",
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_districts"),
    )
    rows = bind.exec_driver_sql(
        "SELECT code, name, COALESCE((data->>'sort_order')::int, 0) FROM master_records WHERE kind = 'district'"
    ).all()
    op.bulk_insert(table, [{"code": c, "name": n, "sort_order": o} for c, n, o in rows])
    op.drop_table("master_record_versions")
    op.drop_table("master_records")
