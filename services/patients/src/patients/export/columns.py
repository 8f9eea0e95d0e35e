"""The columns of each CSV export: fixed items under Japanese headers, then one column per configurable field."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from tbms_contracts.card_codes import DISEASE_FORMS

from patients.care.codes import OUTCOMES, REGIMENS
from patients.custom_field.models import FieldDefinition
from patients.custom_field.values import display, is_empty
from patients.history.labels import VALUE_LABELS
from patients.lab_result.details import summary
from patients.lab_result.schemas import KIND_LABELS
from patients.patient.classification import CLASSIFICATIONS
from patients.patient.schemas import EXCLUSION_REASONS
from patients.reference.codes import CODE_LISTS

OUT_OF_USE = "（使用終了）"
CATEGORIES, SEXES, STATUSES = CODE_LISTS["category"], CODE_LISTS["sex"], VALUE_LABELS["status"]

PATIENT_HEADER = (
    "登録番号",
    "登録年月日",
    "登録区分",
    "氏名",
    "カナ",
    "性別",
    "生年月日",
    "郵便番号",
    "住所",
    "電話番号",
    "地区",
    "担当保健師",
    "状態",
    "登録除外日",
    "除外理由",
    "病型",
    "総合患者分類コード",
    "総合患者分類",
)
LAB_RESULT_HEADER = ("登録番号", "氏名", "検査の種類", "検体", "採取日", "結果日", "結果", "多剤耐性", "検査機関")
TREATMENT_HEADER = (
    "登録番号",
    "氏名",
    "処方",
    "処方の備考",
    "開始日",
    "終了予定日",
    "終了日",
    "治療成績",
    "治療医療機関",
    "医療機関コード",
    "備考",
)


def label(codes: Mapping[str, str], value: str | None) -> str:
    """A code's Japanese label; an unknown code as stored, so no data is hidden."""
    return codes.get(value, value) if value else ""


def custom_cell(definition: FieldDefinition, value: object) -> object:
    """A configurable value as staff read it: choice labels, はい/いいえ, 「、」-joined choices, ISO dates."""
    if is_empty(value):
        return ""
    shown = display(definition, value)
    if shown is not None:
        return shown
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value  # a number stays a number in Excel (and a negative one is no formula)
    return str(value)


class CustomColumns:
    """One column per configurable field of a kind of record, in form order, fields out of use included."""

    def __init__(self, definitions: Sequence[FieldDefinition], today: date) -> None:
        self.definitions, self.today = list(definitions), today

    def header(self, fixed: Sequence[str] = ()) -> list[str]:
        """The fields' labels after the `fixed` headers; a field no longer in use is marked so its stored values are
        still understood, and a label used twice (two fields, or a field and a fixed item) also shows the key."""
        labels = [d.label for d in self.definitions]
        taken = Counter([*fixed, *labels])
        return [
            d.label + (f"（{d.key}）" if taken[d.label] > 1 else "") + (OUT_OF_USE if self._ended(d) else "")
            for d in self.definitions
        ]

    def cells(self, custom: Mapping[str, Any] | None) -> list[object]:
        """A record's values, one per field (blank when it holds none)."""
        values = custom or {}
        return [custom_cell(d, values.get(d.key)) for d in self.definitions]

    def _ended(self, definition: FieldDefinition) -> bool:
        return definition.active_to is not None and definition.active_to < self.today


def patient_row(
    row: Any, code: str, custom: CustomColumns, reasons: Mapping[str, str] = EXCLUSION_REASONS
) -> list[object]:
    """One line of 患者一覧 (`reasons`: the 除外理由 labels of the コード表, ended ones too)."""
    return [
        row.registration_no,
        row.registered_on,
        label(CATEGORIES, row.category),
        row.name,
        row.name_kana,
        label(SEXES, row.sex),
        row.birth_date,
        row.postal_code,
        row.address,
        row.phone,
        row.district,
        row.nurse,
        label(STATUSES, row.status),
        row.excluded_on,
        label(reasons, row.exclusion_reason),
        label(DISEASE_FORMS, row.disease_form),
        code,
        CLASSIFICATIONS.get(code, ""),
        *custom.cells(row.custom),
    ]


def lab_result_row(row: Any, custom: CustomColumns) -> list[object]:
    """One line of the 菌検査 export."""
    return [
        row.registration_no,
        row.name,
        label(KIND_LABELS, row.kind),
        row.specimen,
        row.collected_on,
        row.result_on,
        summary(row.kind, row.details or {}),
        "はい" if row.mdr else "",
        row.laboratory,
        *custom.cells(row.custom),
    ]


def treatment_row(row: Any, custom: CustomColumns, regimens: Mapping[str, str] = REGIMENS) -> list[object]:
    """One line of the 治療 export (`regimens`: the 処方 labels of the コード表, ended ones too)."""
    return [
        row.registration_no,
        row.name,
        label(regimens, row.regimen),
        row.regimen_note,
        row.started_on,
        row.planned_end_on,
        row.ended_on,
        label(OUTCOMES, row.outcome),
        row.institution,
        row.institution_code,
        row.note,
        *custom.cells(row.custom),
    ]
