"""The conditions form of 患者データのCSV出力 (R24, R33): what to export and which patients."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.forms import EntryForm, Field

TARGETS = {"patients": "患者一覧（基本情報）", "lab_results": "菌検査の結果", "treatments": "治療"}
STATUSES = {"active": "登録中", "excluded": "登録除外"}
ENCODINGS = {"utf-8": "UTF-8（BOM付き・現在のExcel）", "cp932": "Shift_JIS（CP932・古いExcelや他のシステム向け）"}
EXPORT_FIELDS: tuple[Field, ...] = (
    Field("target", "出力する内容", required=True, kind="radio", choices=tuple(TARGETS.items())),
    Field("registered_from", "登録年月日（開始）"),
    Field("registered_to", "登録年月日（終了・この日を含む）"),
    Field("status", "状態", kind="select", choices=tuple(STATUSES.items())),
    Field("district", "地区", hint="例: 世田谷（完全一致）"),
    Field("encoding", "文字コード", kind="radio", choices=tuple(ENCODINGS.items())),
)


def export_fields(districts: Sequence[str]) -> tuple[Field, ...]:
    """The conditions, 地区 chosen from masters' districts (typed while masters cannot say)."""
    if not districts:
        return EXPORT_FIELDS
    district = Field("district", "地区", kind="select", choices=tuple((d, d) for d in districts))
    return tuple(district if f.name == "district" else f for f in EXPORT_FIELDS)


def export_conditions(form: EntryForm) -> dict[str, str]:
    """The query string for patients: only the conditions given, as typed (patients reads 和暦 and 西暦)."""
    return {f.name: form.value(f.name).strip() for f in EXPORT_FIELDS if form.value(f.name).strip()}
