"""What the master pages show: values in words and 和暦, each kind's key columns, the history and import preview."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

from tbms_core import clock

from gateway.clients.masters import FieldSpec, MasterKind
from gateway.web.templating import wareki

PAGE_SIZE = 50
KIND_NAME = re.compile(r"[a-z][a-z_]{0,39}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The data items a list shows beside code, 名称 and カナ, per kind; other kinds show their first three.
KEY_FIELDS = {
    "institution": ("type", "address", "phone", "designated"),
    "doctor": ("institution_code", "specialty"),
    "laboratory": ("phone", "contact"),
    "municipality": ("health_center_name", "address", "phone"),
    "letterhead": ("address", "phone", "director_name"),
    "board_member": ("role", "term_from", "term_to"),
    "district": ("sort_order", "team"),
    "staff_assignment": ("district_code", "nurse_name"),
    "payer_number": ("law", "agency"),
    "code": ("list", "value", "label", "sort_order"),
    "population": ("district_code", "age_group", "sex", "reference_date", "count"),
    "gaiji": ("character", "substitute", "note"),
}
IMPORT_STATUSES = {"new": "新規", "changed": "変更", "unchanged": "変更なし", "error": "エラー"}
PREVIEW_ROWS = 500  # a large file's preview shows this many rows of the chosen status; the counts cover all
OWN_LABELS = {
    "name": "名称",
    "kana": "カナ",
    "valid_from": "有効期間（開始）",
    "valid_to": "有効期間（終了）",
}


def checked_kind(kind: str) -> str | None:
    """The kind's name when it can be one (letters and _), else None."""
    return kind if KIND_NAME.fullmatch(kind) else None


def record_url(kind: str, code: str) -> str:
    """The page of one row."""
    return f"/masters/{quote(kind, safe='')}/{quote(code, safe=':')}"


def shown(spec: FieldSpec | None, value: Any) -> str:
    """A stored value as staff read it: the choice's label, はい/いいえ, 和暦, one line per item."""
    if value is None or value == "" or value == []:
        return ""
    if spec is not None and spec.type == "choice":
        return dict(spec.choices).get(str(value), str(value))
    if isinstance(value, bool) or value in ("true", "false"):
        return "はい" if value in (True, "true") else "いいえ"
    if _looks_like_date(value):  # masters' history and previews send values as staff read them already
        return wareki(str(value))
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def _looks_like_date(value: Any) -> bool:
    """True for an ISO date (2026-04-01), not for codes of ten digits that fromisoformat would also read."""
    if not isinstance(value, str) or ISO_DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def period(record: Mapping[str, Any]) -> str:
    """The effective period in 和暦: 令和8年4月1日から, or 令和8年4月1日〜令和9年3月31日."""
    start, end = wareki(record.get("valid_from")), wareki(record.get("valid_to"))
    if end:
        return f"{start}〜{end}" if start else f"{end}まで"
    return f"{start}から" if start else "期限なし"


class Validity(NamedTuple):
    """Where a row stands today: in force, not yet (予定, 適用前) or ended, in the words the pages tag it with."""

    state: str  # "in_force", "planned" or "ended"
    label: str  # 有効, 予定（令和9年4月1日から）, 終了


def validity(record: Mapping[str, Any]) -> Validity:
    """The row's standing on Japan's today: 予定 with its start before it takes effect, 終了 only once its end
    date has passed (the end date itself is still in force, as masters counts it)."""
    today = clock.today()
    start, end = _day(record.get("valid_from")), _day(record.get("valid_to"))
    if start is not None and today < start:
        return Validity("planned", f"予定（{wareki(start.isoformat())}から）")
    if end is not None and end < today:
        return Validity("ended", "終了")
    return Validity("in_force", "有効")


def _day(value: Any) -> date | None:
    """An ISO date as masters sends it; None when there is none."""
    return date.fromisoformat(value) if _looks_like_date(value) else None


def columns(kind: MasterKind) -> list[FieldSpec]:
    """The data items the list shows for this kind."""
    keys = KEY_FIELDS.get(kind.kind) or tuple(spec.key for spec in kind.fields[:3])
    return [spec for key in keys if (spec := kind.spec(key)) is not None]


def unbroken(spec: FieldSpec) -> bool:
    """True for short values a list should not break (a phone number, a date, a choice)."""
    return spec.type in ("date", "bool", "int", "choice") or spec.key in ("phone", "fax", "postal_code")


def list_rows(kind: MasterKind, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The list's rows: link, code, name, カナ, key items and period, rows not in force today tagged."""
    specs = columns(kind)
    return [
        {
            "url": record_url(kind.kind, str(item["code"])),
            "code": item["code"],
            "name": item.get("name", ""),
            "kana": item.get("kana", ""),
            "cells": [(shown(spec, (item.get("data") or {}).get(spec.key)), unbroken(spec)) for spec in specs],
            "period": period(item),
            "validity": validity(item),
        }
        for item in items
    ]


@dataclass(frozen=True)
class Paging:
    """Which rows of how many a list page shows, and the links to the pages before and after."""

    total: int
    page: int
    size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        """The number of the first row shown (1-based), 0 when none."""
        return min((self.page - 1) * self.size + 1, self.total)

    @property
    def last(self) -> int:
        """The number of the last row shown."""
        return min(self.page * self.size, self.total)

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.size))

    def link(self, kind: str, page: int, q: str, include_ended: bool) -> str:
        """The list page `page` with the same search."""
        params = {"q": q, "include_ended": "1" if include_ended else "", "page": str(page)}
        return f"/masters/{kind}?{urlencode({k: v for k, v in params.items() if v})}"


def facts(kind: MasterKind, record: Mapping[str, Any], ref_names: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, value) of everything stored about a row, for those who only read."""
    data = record.get("data") or {}
    items = [(kind.code_label, str(record.get("code", ""))), ("名称", str(record.get("name", "")))]
    items.append(("カナ", str(record.get("kana") or "")))
    for spec in kind.fields:
        value = shown(spec, data.get(spec.key))
        if ref_names.get(spec.key):
            value = f"{value}（{ref_names[spec.key]}）"
        items.append((spec.label, value))
    items.append(("有効期間", period(record)))
    return items


def ref_codes(kind: MasterKind, record: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """{field key: (master kind, code)} of the row's references to other masters (an institution's code…)."""
    data = record.get("data") or {}
    return {
        spec.key: (spec.ref_kind, str(data[spec.key]))
        for spec in kind.fields
        if spec.type == "ref" and spec.ref_kind and data.get(spec.key)
    }


def history_entries(kind: MasterKind, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The 修正履歴 newest first, each change's old and new values as staff read them."""
    return [
        {
            **entry,
            "changes": [
                {
                    "label": change.get("label") or _label_of(kind, str(change.get("field", ""))),
                    "old": shown(kind.spec(str(change.get("field", ""))), change.get("old")),
                    "new": shown(kind.spec(str(change.get("field", ""))), change.get("new")),
                }
                for change in entry.get("changes") or []
            ],
        }
        for entry in items
    ]


def _label_of(kind: MasterKind, key: str) -> str:
    spec = kind.spec(key)
    if spec is not None:
        return spec.label
    return kind.code_label if key == "code" else OWN_LABELS.get(key, key)


@dataclass(frozen=True)
class PreviewView:
    """An import preview as the page shows it: counts, the rows of one status, whether it can be applied."""

    preview: Mapping[str, Any]
    status: str  # "" = everything but the unchanged rows

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status (新規, 変更, 変更なし, エラー)."""
        counts = self.preview.get("counts") or {}
        return {status: int(counts.get(status) or 0) for status in IMPORT_STATUSES}

    @property
    def applicable(self) -> bool:
        """True when there is something to apply and no row is an error (apply is all or nothing)."""
        counts = self.counts
        return counts["error"] == 0 and counts["new"] + counts["changed"] > 0

    @property
    def matching(self) -> list[Mapping[str, Any]]:
        """The rows of the chosen status (all but the unchanged ones when none is chosen)."""
        rows = self.preview.get("rows") or []
        if self.status:
            return [row for row in rows if row.get("status") == self.status]
        return [row for row in rows if row.get("status") != "unchanged"]

    @property
    def rows(self) -> list[Mapping[str, Any]]:
        """The rows shown (at most PREVIEW_ROWS)."""
        return self.matching[:PREVIEW_ROWS]


def preview_rows(kind: MasterKind, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each row's line, result in words, code, name and what it changes (field: old → new) or what is wrong."""
    shown_rows = []
    for row in rows:
        changes = [
            (
                change.get("label") or _label_of(kind, str(change.get("field", ""))),
                shown(kind.spec(str(change.get("field", ""))), change.get("old")),
                shown(kind.spec(str(change.get("field", ""))), change.get("new")),
            )
            for change in row.get("changes") or []
        ]
        errors = [
            (_label_of(kind, key) if key not in ("", "_") else "", str(message))
            for key, message in (row.get("errors") or {}).items()
        ]
        status = str(row.get("status", ""))
        shown_rows.append(
            {
                "line": row.get("line"),
                "status": status,
                "status_label": IMPORT_STATUSES.get(status, status),
                "code": row.get("code") or "",
                "name": row.get("name") or "",
                "changes": changes,
                "errors": errors,
            }
        )
    return shown_rows


def applied_message(counts: Mapping[str, Any]) -> str:
    """The flash after an import: 取り込みました（新規 3件、変更 2件）."""
    parts = [f"{IMPORT_STATUSES[s]} {int(counts.get(s) or 0):,}件" for s in ("new", "changed", "unchanged")]
    return f"取り込みました（{'、'.join(parts)}）。"
