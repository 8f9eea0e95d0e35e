"""What the test-result API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, computed_field, field_validator, model_validator
from tbms_core.jp.fields import FlexibleDate, Text, not_future

from patients.lab_result.details import Kind, summary

KIND_LABELS = {
    Kind.SMEAR: "塗抹",
    Kind.CULTURE: "培養",
    Kind.NAAT: "核酸増幅法",
    Kind.IDENTIFICATION: "同定",
    Kind.DST: "薬剤感受性",
    Kind.IGRA: "IGRA",
    Kind.TST: "ツベルクリン反応",
}


# 検体: a code of the コード表 (blank is none), checked by the service against the list of the collection date
# the length applies to a given specimen only: on `str | None` pydantic would apply it to None too (a 500)
Specimen = Annotated[Annotated[str, Field(max_length=40)] | None, BeforeValidator(lambda v: v or None)]


class _Dates(BaseModel):
    @field_validator("collected_on", "result_on", check_fields=False)
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        return not_future(value)

    @model_validator(mode="after")
    def _result_after_collection(self) -> Any:
        collected, result = getattr(self, "collected_on", None), getattr(self, "result_on", None)
        if collected and result and result < collected:
            raise ValueError("結果日が採取日より前になっています。")
        return self


class LabResultCreate(_Dates):
    """A new result; `details` holds the items of its kind (checked per kind)."""

    kind: Kind
    specimen: Specimen = None
    collected_on: FlexibleDate
    result_on: FlexibleDate | None = None
    laboratory: Text = Field(default="", max_length=100)
    details: dict[str, Any] = Field(default_factory=dict)
    custom: dict[str, Any] = Field(default_factory=dict)  # configurable fields (R33), checked by the service


class LabResultBatchCreate(BaseModel):
    """Results of one specimen entered at once (塗抹・培養・核酸増幅法): stored together or not at all."""

    results: list[LabResultCreate] = Field(min_length=1, max_length=10)


class LabResultUpdate(_Dates):
    """The parts of a result a correction changes; `details` replaces the kind's items as a whole."""

    specimen: Specimen = None
    collected_on: FlexibleDate | None = None
    result_on: FlexibleDate | None = None
    laboratory: Text | None = Field(default=None, max_length=100)
    details: dict[str, Any] | None = None
    custom: dict[str, Any] | None = None  # only the keys given change; null or "" clears one


class LabResultChange(BaseModel):
    """A correction of a result, based on the version the user saw."""

    version: int = Field(ge=1)
    changes: LabResultUpdate
    reason: Text = Field(default="", max_length=500)


class LabResultRead(BaseModel):
    """A result as the API shows it, with its one-line summary."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    version: int
    kind: Kind
    specimen: str
    collected_on: date | None
    result_on: date | None
    laboratory: str
    details: dict[str, Any]
    mdr: bool
    updated_at: datetime | None
    custom: dict[str, Any]  # every stored value, also of fields no longer in use

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        """検査種別 in Japanese."""
        return KIND_LABELS[self.kind]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """The result in one line."""
        return summary(self.kind, self.details)


class LabResultPage(BaseModel):
    """A patient's results, newest collection first."""

    items: list[LabResultRead]
