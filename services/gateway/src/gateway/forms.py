"""The patient registration form: its fields, what was typed, and the live 生年月日 preview."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData
from tbms_core.jp.wareki import WarekiError, format_both, parse_date

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
