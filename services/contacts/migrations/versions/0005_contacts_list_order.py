"""An index in the contact list's order (登録日, カナ, id): the list of all contacts no longer sorts every contact.

With 1,000,000 contacts the first page took a top-N sort over the whole table (p95 0.5 s) and a page further on
a full sort (offset 10,000: p95 1.4 s); bench/contacts_list.py.
"""

from alembic import op

revision, down_revision, branch_labels, depends_on = "0005", "0004", None, None


def upgrade() -> None:
    op.create_index("ix_contacts_found_on_name_kana_id", "contacts", ["found_on", "name_kana", "id"])


def downgrade() -> None:
    op.drop_index("ix_contacts_found_on_name_kana_id", table_name="contacts")
