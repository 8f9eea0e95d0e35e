"""The rest of the registration card: person, notification, disease, clinical, record #1, exclusion; care records."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0004", "0003", None, None

JSON_EMPTY = sa.text("'{}'::jsonb")
PATIENT_TEXT = {
    "alias": 100,  # 通称・旧姓
    "occupation": 30,
    "occupation_note": 100,
    "birth_country": 60,
    "nationality": 60,
    "exclusion_reason": 30,
    "exclusion_note": 300,
    "name_key": 100,  # the name folded for the duplicate check (異体字, width, spaces)
}
PATIENT_JSON = ("guardian", "notification", "disease", "clinical", "at_registration")
CARE_TABLES = ("treatments", "hospitalisations", "transfers", "progress_notes")


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
    ]


def _care_table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        *columns,
        *_versioned(),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=f"fk_{name}_patient_id_patients"),
    )
    op.create_index(f"ix_{name}_patient_id", name, ["patient_id"])


def upgrade() -> None:
    for column, length in PATIENT_TEXT.items():
        op.add_column("patients", sa.Column(column, sa.String(length), nullable=False, server_default=""))
    for column in PATIENT_JSON:
        op.add_column("patients", sa.Column(column, postgresql.JSONB(), nullable=False, server_default=JSON_EMPTY))
    op.execute("UPDATE patients SET name_key = regexp_replace(name, '[[:space:]　]', '', 'g')")
    op.create_index("ix_patients_kana_birth", "patients", ["name_kana", "birth_date"])
    op.create_index("ix_patients_name_key_birth", "patients", ["name_key", "birth_date"])
    op.create_index("ix_patients_name_key", "patients", ["name_key"])

    _care_table(
        "treatments",
        sa.Column("regimen", sa.String(40), nullable=False),
        sa.Column("regimen_note", sa.String(200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("planned_end_on", sa.Date()),
        sa.Column("ended_on", sa.Date()),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("institution", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("custom", postgresql.JSONB(), nullable=False, server_default=JSON_EMPTY),
    )
    _care_table(
        "hospitalisations",
        sa.Column("hospital", sa.String(200), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("discharged_on", sa.Date()),
        sa.Column("recommended", sa.Boolean(), nullable=False),  # 勧告入院（法19条・20条）
        sa.Column("note", sa.Text(), nullable=False),
    )
    _care_table(
        "transfers",
        sa.Column("direction", sa.String(10), nullable=False),  # in / out
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("counterpart", sa.String(200), nullable=False),  # the other 保健所
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("card_sent_on", sa.Date()),  # 登録票送付日（27条の8第2項）
        sa.Column("note", sa.Text(), nullable=False),
    )
    _care_table(
        "progress_notes",
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("author_name", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    for name in reversed(CARE_TABLES):
        op.drop_index(f"ix_{name}_patient_id", table_name=name)
        op.drop_table(name)
    for index in ("ix_patients_name_key", "ix_patients_name_key_birth", "ix_patients_kana_birth"):
        op.drop_index(index, table_name="patients")
    for column in (*PATIENT_JSON, *PATIENT_TEXT):
        op.drop_column("patients", column)
