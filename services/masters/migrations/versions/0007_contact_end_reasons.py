"""The コード表 gets 接触者健診の終了・対象外の理由 (健診終了, 対象外, 他自治体へ移管, 追跡不能, その他: the codes contacts
stored before), in force since long before anything this system holds, each with a first history entry. A code
masters already holds (added by hand) is left as it is. Contacts keeps an identical built-in copy until masters
sends a change.
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from tbms_contracts.code_lists import SEEDED_CONTACT_ENDS, SEEDED_SINCE, seeded_order
from tbms_contracts.masters import record_id
from tbms_core.jp.text import search_key

revision, down_revision, branch_labels, depends_on = "0007", "0006", None, None

REASON = "接触者健診の終了の理由をマスタ管理のコード表に移しました。"


def _seeded() -> list[tuple[str, str, str, int]]:
    return [
        (name, value, label, seeded_order(place))
        for name, codes in SEEDED_CONTACT_ENDS.items()
        for place, (value, label) in enumerate(codes.items())
    ]


def upgrade() -> None:
    bind = op.get_bind()
    records = sa.table(
        "master_records",
        *(sa.column(c) for c in ("id", "kind", "code", "name", "kana", "search_key", "valid_from", "version")),
        sa.column("data", sa.JSON()),
        sa.column("updated_by"),
    )
    versions = sa.table(
        "master_record_versions",
        *(sa.column(c) for c in ("id", "record_id", "version", "changed_at", "changed_by", "changed_by_name")),
        sa.column("reason"),
        sa.column("changes", sa.JSON()),
    )
    held = {row[0] for row in bind.exec_driver_sql("SELECT code FROM master_records WHERE kind = 'code'")}
    moment, rows, entries = datetime.now(UTC), [], []
    for name, value, label, order in _seeded():
        code = f"{name}:{value}"
        if code in held:
            continue
        key = record_id("code", code)
        data = {"list": name, "value": value, "label": label, "sort_order": order}
        rows.append(
            {
                "id": key,
                "kind": "code",
                "code": code,
                "name": label,
                "kana": "",
                "search_key": f"{search_key(label)}\n",
                "data": data,
                "valid_from": SEEDED_SINCE,
                "version": 1,
                "updated_by": "",
            }
        )
        changes = {"list": [None, name], "value": [None, value], "label": [None, label], "sort_order": [None, order]}
        entries.append(
            {
                "id": uuid.uuid4(),
                "record_id": key,
                "version": 1,
                "changed_at": moment,
                "changed_by": "",
                "changed_by_name": "移行",
                "reason": REASON,
                "changes": changes,
            }
        )
    if rows:
        op.bulk_insert(records, rows)
        op.bulk_insert(versions, entries)


def downgrade() -> None:
    """Removes the seeded entries this migration added (those still as seeded, version 1, with its history)."""
    bind = op.get_bind()
    ids = [record_id("code", f"{name}:{value}") for name, value, _, _ in _seeded()]
    seeded = sa.text(
        "SELECT id FROM master_records WHERE id = ANY(:ids) AND version = 1 AND updated_by = ''"
    ).bindparams(sa.bindparam("ids", type_=sa.ARRAY(sa.Uuid())))
    kept = [row[0] for row in bind.execute(seeded, {"ids": ids})]
    if kept:
        gone = sa.bindparam("ids", type_=sa.ARRAY(sa.Uuid()))
        bind.execute(
            sa.text("DELETE FROM master_record_versions WHERE record_id = ANY(:ids)").bindparams(gone), {"ids": kept}
        )
        bind.execute(sa.text("DELETE FROM master_records WHERE id = ANY(:ids)").bindparams(gone), {"ids": kept})
