"""The screening list (接触者健診の一覧): what the rules derive from a contact, kept on the row so a million contacts
can be filtered by due date, priority and result in SQL, and the keys of the duplicate check at registration.

`next_due_on` (the first open plan item's day), `priority` (the one in force) and `has_result` (an exam done) are
written on every save of the contact; existing contacts are derived here once with the same code.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value

revision, down_revision, branch_labels, depends_on = "0006", "0005", None, None
BATCH = 1000


def upgrade() -> None:
    op.add_column("contacts", sa.Column("next_due_on", sa.Date()))
    op.add_column("contacts", sa.Column("priority", sa.String(10), server_default="", nullable=False))
    op.add_column("contacts", sa.Column("has_result", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("contacts", sa.Column("phone_digits", sa.String(20), server_default="", nullable=False))
    _derive_existing()
    op.create_index("ix_contacts_next_due_on_name_kana_id", "contacts", ["next_due_on", "name_kana", "id"])
    op.create_index(
        "ix_contacts_active_next_due",
        "contacts",
        ["next_due_on", "name_kana", "id"],
        postgresql_where=sa.text("status = 'active'"),
        postgresql_include=["priority", "has_result"],
    )
    op.create_index("ix_contacts_name_kana_id", "contacts", ["name_kana", "id"])
    op.create_index("ix_contacts_birth_date", "contacts", ["birth_date"])
    op.create_index(
        "ix_contacts_phone_digits", "contacts", ["phone_digits"], postgresql_where=sa.text("phone_digits <> ''")
    )


def _derive_existing() -> None:
    """Every contact's derived columns, computed by the service's own rules (batches of BATCH)."""
    from contacts.contact.derived import derived_values  # noqa: PLC0415 - the service's code, at migration time
    from contacts.contact.models import Contact  # noqa: PLC0415
    from contacts.exam.models import Exam  # noqa: PLC0415

    session = Session(bind=op.get_bind())
    # Columns later migrations add are not there yet: they are not read, and are None for the rules.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("contacts")}
    later = [c.key for c in Contact.__table__.columns if c.name not in present]
    last = None
    while True:
        query = sa.select(Contact).options(*(defer(getattr(Contact, k)) for k in later)).order_by(Contact.id).limit(BATCH)
        if last is not None:
            query = query.where(Contact.id > last)
        contacts = list(session.scalars(query))
        if not contacts:
            break
        for contact in contacts:
            for key in later:
                set_committed_value(contact, key, None)
        exams: dict = {}
        for exam in session.scalars(sa.select(Exam).where(Exam.contact_id.in_([c.id for c in contacts]))):
            exams.setdefault(exam.contact_id, []).append(exam)
        for contact in contacts:
            values = derived_values(contact, exams.get(contact.id, []))
            session.execute(sa.update(Contact.__table__).where(Contact.__table__.c.id == contact.id).values(**values))
        last = contacts[-1].id
        session.expunge_all()


def downgrade() -> None:
    op.drop_index("ix_contacts_phone_digits", table_name="contacts")
    op.drop_index("ix_contacts_birth_date", table_name="contacts")
    op.drop_index("ix_contacts_name_kana_id", table_name="contacts")
    op.drop_index("ix_contacts_active_next_due", table_name="contacts")
    op.drop_index("ix_contacts_next_due_on_name_kana_id", table_name="contacts")
    for name in ("phone_digits", "has_result", "priority", "next_due_on"):
        op.drop_column("contacts", name)
