"""What the CSV export accepts: which records, and the conditions on the patients they belong to."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator
from tbms_core.jp.fields import OptionalDate, Text


class ExportTarget(StrEnum):
    """The records one CSV file lists."""

    PATIENTS = "patients"  # 患者一覧
    LAB_RESULTS = "lab_results"  # 菌検査
    TREATMENTS = "treatments"  # 治療


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class ExportFilter(BaseModel):
    """The export's conditions, read from the query string; every one is optional."""

    target: ExportTarget = ExportTarget.PATIENTS
    registered_from: OptionalDate = Field(default=None, description="登録年月日（から）: 和暦 or 西暦")
    registered_to: OptionalDate = Field(default=None, description="登録年月日（まで、この日を含む）")
    status: Annotated[Literal["active", "excluded"] | None, BeforeValidator(_blank_is_none)] = None
    district: Annotated[Text | None, BeforeValidator(_blank_is_none)] = Field(default=None, max_length=20)
    encoding: Literal["utf-8", "cp932"] = Field(
        default="utf-8", description="文字コード: UTF-8（BOM付き）, or Shift_JIS (CP932) with 外字 per the policy"
    )
    substitute: bool = Field(default=False, description="CP932で表せない文字を〓にして出力する（既定は拒否）")

    @field_validator("registered_to")
    @classmethod
    def _in_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("registered_from")
        if value is not None and start is not None and value < start:
            raise ValueError("登録年月日の終了日が開始日より前になっています。")
        return value

    def described(self) -> str:
        """The conditions in one line, as the operation history keeps them."""
        parts = [f"target={self.target}"]
        if self.registered_from or self.registered_to:
            parts.append(f"registered={self.registered_from or ''}..{self.registered_to or ''}")
        parts += [f"{name}={value}" for name, value in (("status", self.status), ("district", self.district)) if value]
        parts += ["encoding=cp932"] if self.encoding == "cp932" else []
        parts += ["substitute"] if self.substitute else []
        return " ".join(parts)
