"""Care records keep the masters' code beside a picked name: 医療機関コード of a treatment, hospital stay or
公費負担, 全国地方公共団体コード of a transfer's counterpart. Older records keep their text and an empty code."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0007", "0006", None, None

COLUMNS = (
    ("treatments", "institution_code", 10),
    ("hospitalisations", "hospital_code", 10),
    ("public_expenses", "institution_code", 10),
    ("transfers", "counterpart_code", 6),
)


def upgrade() -> None:
    for table, column, length in COLUMNS:
        op.add_column(table, sa.Column(column, sa.String(length), nullable=False, server_default=""))


def downgrade() -> None:
    for table, column, _ in COLUMNS:
        op.drop_column(table, column)
