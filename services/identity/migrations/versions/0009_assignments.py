"""Assignments read model (N21): each person's district and nurse, record participants, district staff and teams."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0009", "0008", None, None


def upgrade() -> None:
    op.create_table(
        "person_assignments",
        sa.Column("person_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("nurse", sa.Text(), nullable=False),
        sa.Column("index_patient_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_person_assignments"),
    )
    op.create_table(
        "record_participants",
        sa.Column("person_id", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("via", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "who", "via", name="pk_record_participants"),
    )
    op.create_table(
        "district_staff",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_district_staff"),
    )
    op.create_index("ix_district_staff_district", "district_staff", ["district"])
    op.create_table(
        "district_teams",
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("district", name="pk_district_teams"),
    )


def downgrade() -> None:
    op.drop_table("district_teams")
    op.drop_index("ix_district_staff_district", table_name="district_staff")
    op.drop_table("district_staff")
    op.drop_table("record_participants")
    op.drop_table("person_assignments")
