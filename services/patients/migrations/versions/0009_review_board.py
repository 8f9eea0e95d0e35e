"""感染症診査協議会: sessions, cases and decisions, 受給者番号 (gapless, never reused), 患者票 and 勧告 measures."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0009", "0008", None, None

UUID = postgresql.UUID(as_uuid=True)


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
    ]


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def _string(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False, server_default="")


def _patient(table: str) -> list:
    return [
        sa.Column("id", UUID, nullable=False),
        sa.Column("patient_id", UUID, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=f"fk_{table}_patient_id_patients"),
    ]


def upgrade() -> None:
    op.create_table(
        "board_sessions",
        sa.Column("id", UUID, nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        _string("place", 200),
        sa.Column("members", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("quorum", sa.Integer(), nullable=False, server_default="0"),
        _text("agenda"),
        _text("minutes"),
        sa.Column("status", sa.String(20), nullable=False, server_default="planned"),
        *_versioned(),
        sa.PrimaryKeyConstraint("id", name="pk_board_sessions"),
    )
    op.create_table(
        "board_cases",
        *_patient("board_cases"),
        sa.Column("session_id", UUID),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("admitted_on", sa.Date()),
        _text("summary"),
        _text("bacteriology"),
        _text("xray"),
        _string("gakkai", 20),
        _text("treatment_plan"),
        sa.Column("certificate_on", sa.Date()),
        _string("certificate_doctor", 100),
        _string("institution", 200),
        _string("institution_code", 10),
        _string("pharmacy", 200),
        sa.Column("income_tax_yen", sa.Integer()),
        _text("restricted_work"),
        _string("decision", 20),
        sa.Column("decided_on", sa.Date()),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_to", sa.Date()),
        _text("conditions"),
        _text("comments"),
        _string("payer_number", 8),
        _string("recipient_number", 7),
        sa.Column("notified_on", sa.Date()),
        _text("withdrawn_reason"),
        _text("note"),
        *_versioned(),
        sa.ForeignKeyConstraint(["session_id"], ["board_sessions.id"], name="fk_board_cases_session_id_board_sessions"),
    )
    op.create_index("ix_board_cases_patient_id", "board_cases", ["patient_id"])
    op.create_index("ix_board_cases_session_id", "board_cases", ["session_id"])
    op.create_table(
        "recipient_number_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recipient_number_counter"),
    )
    op.execute("INSERT INTO recipient_number_counter (id, last_serial) VALUES (1, 0)")
    op.create_table(
        "recipient_numbers",
        sa.Column("serial", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.String(7), nullable=False),
        sa.Column("case_id", UUID, nullable=False),
        sa.Column("patient_id", UUID, nullable=False),
        sa.Column("basis", sa.String(10), nullable=False),
        _string("payer_number", 8),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("voided_on", sa.Date()),
        _text("void_reason"),
        sa.PrimaryKeyConstraint("serial", name="pk_recipient_numbers"),
        sa.UniqueConstraint("number", name="uq_recipient_numbers_number"),
        sa.ForeignKeyConstraint(["case_id"], ["board_cases.id"], name="fk_recipient_numbers_case_id_board_cases"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_recipient_numbers_patient_id_patients"),
    )
    op.create_table(
        "patient_cards",
        *_patient("patient_cards"),
        sa.Column("case_id", UUID, nullable=False),
        sa.Column("payer_number", sa.String(8), nullable=False),
        sa.Column("recipient_number", sa.String(7), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        _string("institution", 200),
        _string("pharmacy", 200),
        _string("care_kind", 200),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reissues", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("returned_on", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False, server_default="issued"),
        *_versioned(),
        sa.ForeignKeyConstraint(["case_id"], ["board_cases.id"], name="fk_patient_cards_case_id_board_cases"),
    )
    op.create_index("ix_patient_cards_patient_id", "patient_cards", ["patient_id"])
    op.create_table(
        "board_measures",
        *_patient("board_measures"),
        sa.Column("case_id", UUID),
        sa.Column("article", sa.String(20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True)),
        sa.Column("ends_at", sa.DateTime(timezone=True)),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date()),
        _string("hospital", 200),
        _text("restricted_work"),
        _string("delivery", 10),
        sa.Column("delivered_on", sa.Date()),
        _text("statement"),
        sa.Column("ended_on", sa.Date()),
        _string("end_reason", 30),
        _text("end_note"),
        *_versioned(),
        sa.ForeignKeyConstraint(["case_id"], ["board_cases.id"], name="fk_board_measures_case_id_board_cases"),
    )
    op.create_index("ix_board_measures_patient_id", "board_measures", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_board_measures_patient_id", table_name="board_measures")
    op.drop_table("board_measures")
    op.drop_index("ix_patient_cards_patient_id", table_name="patient_cards")
    op.drop_table("patient_cards")
    op.drop_table("recipient_numbers")
    op.drop_table("recipient_number_counter")
    op.drop_index("ix_board_cases_session_id", table_name="board_cases")
    op.drop_index("ix_board_cases_patient_id", table_name="board_cases")
    op.drop_table("board_cases")
    op.drop_table("board_sessions")
