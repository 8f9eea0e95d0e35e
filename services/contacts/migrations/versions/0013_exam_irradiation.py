"""A chest X-ray records its irradiation conditions for the 照射録 (F24): projection, exposures, kV, mA, time,
mAs, distance, device, radiographer, the instructing doctor and the instruction, as one JSON object."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0013", "0012", None, None


def upgrade() -> None:
    op.add_column("screening_exams", sa.Column("irradiation", postgresql.JSONB()))


def downgrade() -> None:
    op.drop_column("screening_exams", "irradiation")
