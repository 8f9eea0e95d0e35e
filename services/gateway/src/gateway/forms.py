"""Patient forms (registration, correction, test results): fields, what was typed, the live 生年月日 preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from tbms_core.jp.wareki import WarekiError, format_both, format_wareki, parse_date

BIRTH_DATE_HINT = "和暦（例: S45.3.1、昭和45年3月1日）または西暦（例: 1970-03-01）"
GENERAL_ERROR = "_"


@dataclass(frozen=True)
class Field:
    """One input of the form, named as the patients API names it."""

    name: str
    label: str
    required: bool = False
    hint: str = ""
    autocomplete: str = "off"
    kind: str = "text"

    @property
    def input_id(self) -> str:
        """The id of the field's input (of its first choice for radio buttons)."""
        return f"f-{self.name}-0" if self.kind == "radio" else f"f-{self.name}"


PATIENT_FIELDS: tuple[Field, ...] = (
    Field("name", "氏名", required=True, hint="例: 試験 太郎"),
    Field("name_kana", "カナ", required=True, hint="カタカナまたはひらがな（例: シケン タロウ）"),
    Field("sex", "性別", required=True, kind="radio"),
    Field("birth_date", "生年月日", required=True, hint=BIRTH_DATE_HINT),
    Field("postal_code", "郵便番号", hint="例: 154-0017", kind="postal"),
    Field("address", "住所", kind="text-wide"),
    Field("phone", "電話番号", hint="例: 03-1234-5678", kind="tel"),
    Field("district", "地区", kind="select"),
    Field("category", "登録区分", required=True, kind="select"),
)
FIELD_NAMES = tuple(f.name for f in PATIENT_FIELDS)


@dataclass
class PatientForm:
    """What the user typed (kept as typed) and the Japanese message for each wrong field."""

    values: dict[str, str] = field(default_factory=lambda: {"category": "patient"})
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: FormData) -> PatientForm:
        """Reads the posted fields, ignoring anything else."""
        return cls(values={name: str(form.get(name) or "") for name in FIELD_NAMES})

    def payload(self) -> dict[str, str]:
        """The JSON for patients' POST /patients; blank optional choices are left out."""
        return {name: value for name, value in self.values.items() if value or name not in ("sex", "category")}

    def field_errors(self) -> dict[str, str]:
        """Messages about fields of this form, keyed by field name."""
        return {name: message for name, message in self.errors.items() if name in FIELD_NAMES}

    def other_errors(self) -> list[str]:
        """Messages that belong to no single field."""
        return [message for name, message in self.errors.items() if name not in FIELD_NAMES]


@dataclass(frozen=True)
class DatePreview:
    """How a typed date reads: 和暦（西暦）, or why it cannot be read."""

    text: str = ""
    error: str = ""


def preview_date(typed: str) -> DatePreview:
    """Parses a typed date the way patients will, for the live preview beside the field."""
    if not typed.strip():
        return DatePreview()
    try:
        return DatePreview(text=format_both(parse_date(typed)))
    except WarekiError as exc:
        return DatePreview(error=str(exc))


EDIT_FIELDS: tuple[Field, ...] = (
    *PATIENT_FIELDS,
    Field("nurse", "担当保健師"),
    Field("reason", "修正理由", hint="例: 本人の申し出により訂正（修正履歴に残ります）", kind="text-wide"),
)
EDIT_NAMES = tuple(f.name for f in EDIT_FIELDS)


@dataclass
class PatientEditForm:
    """The correction form: the values (as typed), the version the user saw, and what went wrong."""

    values: dict[str, str] = field(default_factory=dict)
    version: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    conflict: str = ""

    @classmethod
    def of_patient(cls, patient: dict[str, Any]) -> PatientEditForm:
        """The form filled with the stored values; dates in short 和暦 as staff type them."""
        values = {name: str(patient.get(name) or "") for name in EDIT_NAMES if name != "reason"}
        if values.get("birth_date"):
            values["birth_date"] = format_wareki(date.fromisoformat(values["birth_date"]), "short")
        return cls(values=values, version=str(patient.get("version", "")))

    @classmethod
    def from_form(cls, form: FormData) -> PatientEditForm:
        """Reads the posted fields, ignoring anything else."""
        return cls(values={n: str(form.get(n) or "") for n in EDIT_NAMES}, version=str(form.get("version") or ""))

    def changes(self) -> dict[str, str]:
        """The fields for patients' PATCH; the service records only what differs."""
        return {n: v for n, v in self.values.items() if n != "reason" and (v or n not in ("sex", "category"))}

    def field_errors(self) -> dict[str, str]:
        """Messages about fields of this form, keyed by field name."""
        return {name: message for name, message in self.errors.items() if name in EDIT_NAMES}

    def other_errors(self) -> list[str]:
        """Messages that belong to no single field."""
        return [message for name, message in self.errors.items() if name not in EDIT_NAMES]


LAB_DATE_HINT = "和暦（例: R8.10.1）または西暦（例: 2026-10-01）"
LAB_KINDS = {"smear": "塗抹", "culture": "培養", "dst": "薬剤感受性"}
SPECIMENS = ("喀痰", "胃液", "気管支洗浄液", "胸水", "尿", "組織", "その他")
SMEAR_GRADES = ("−", "±", "1+", "2+", "3+")
CULTURE_MEDIA = ("液体", "小川")
CULTURE_RESULTS = ("陰性", "陽性", "培養中", "汚染")
DRUGS = ("INH", "RFP", "EB", "SM", "PZA", "LVFX", "KM", "TH", "EVM", "PAS", "CS", "DLM", "BDQ")
DST_CHOICES = ("S", "R", "未実施")
LAB_FIELDS: tuple[Field, ...] = (
    Field("kind", "検査種別", required=True, kind="select"),
    Field("specimen", "検体", kind="select"),
    Field("collected_on", "採取日", required=True, hint=LAB_DATE_HINT),
    Field("result_on", "結果日", hint=LAB_DATE_HINT),
    Field("laboratory", "検査機関"),
    Field("grade", "塗抹の判定", kind="select"),
    Field("gaffky", "ガフキー号数（旧記録）", hint="例: G5（判定とどちらか一方でも可）"),
    Field("medium", "培地", kind="select"),
    Field("culture_result", "培養の結果", kind="select"),
    Field("colony_grade", "菌量", hint="例: 2+、コロニー数"),
    *(Field(f"dst_{drug}", drug, kind="select") for drug in DRUGS),
)
LAB_NAMES = tuple(f.name for f in LAB_FIELDS)
_DETAIL_FIELDS = {"medium": "medium", "result": "culture_result", "colony_grade": "colony_grade"}
_DETAIL_FIELDS |= {"grade": "grade", "gaffky": "gaffky", "results": "dst_INH"}


@dataclass
class LabForm:
    """A new smear, culture or DST result as typed, and the message for each wrong field."""

    values: dict[str, str] = field(default_factory=lambda: {"kind": "smear", "specimen": "喀痰"})
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: FormData) -> LabForm:
        """Reads the posted fields, ignoring anything else."""
        return cls(values={name: str(form.get(name) or "") for name in LAB_NAMES})

    def payload(self) -> dict[str, Any]:
        """The JSON for patients' POST …/lab-results: the common items and the kind's own."""
        v = self.values
        body: dict[str, Any] = {"kind": v.get("kind", ""), "collected_on": v.get("collected_on", "")}
        body |= {name: v[name] for name in ("specimen", "result_on", "laboratory") if v.get(name)}
        if body["kind"] == "smear":
            body["details"] = {name: v[name] for name in ("grade", "gaffky") if v.get(name)}
        elif body["kind"] == "culture":
            details = {
                "medium": v.get("medium"),
                "result": v.get("culture_result"),
                "colony_grade": v.get("colony_grade"),
            }
            body["details"] = {name: value for name, value in details.items() if value}
        else:
            body["details"] = {"results": {d: v[f"dst_{d}"] for d in DRUGS if v.get(f"dst_{d}")}}
        return body

    def set_errors(self, errors: dict[str, str]) -> None:
        """Places the service's messages beside the fields they are about."""
        for key, message in errors.items():
            name = _DETAIL_FIELDS.get(key.removeprefix("details."), "_") if key.startswith("details") else key
            self.errors.setdefault(name if name in LAB_NAMES else "_", message)

    def field_errors(self) -> dict[str, str]:
        """Messages about fields of this form, keyed by field name."""
        return {name: message for name, message in self.errors.items() if name in LAB_NAMES}

    def other_errors(self) -> list[str]:
        """Messages that belong to no single field."""
        return [message for name, message in self.errors.items() if name not in LAB_NAMES]
