"""What the patient list accepts (sort, filters) and returns (patients with their 注意事項 and 次回予定)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from patients.patient.schemas import Category, PatientRead

SortKey = Literal["registered_on", "name_kana", "birth_date", "district", "nurse", "next_due_on"]
Activity = Literal["active", "inactive", "unknown", "ltbi", "none"]
AgeBand = Literal["0-14", "15-39", "40-64", "65-79", "80-"]
AlertFilter = Literal["any", "urgent", "none"]

# 総合患者分類コード → 活動性 (TB_PRACTICE §1.3: 1–5 活動性, 6 不活動性, 7 活動性不明, 8–9 潜在性結核感染症).
ACTIVITY_OF_CODE = {
    "1": "active",
    "2": "active",
    "3": "active",
    "4": "active",
    "5": "active",
    "6": "inactive",
    "7": "unknown",
    "8": "ltbi",
    "9": "ltbi",
}
# Age bands a nurse narrows a list by (the 年報's age groups joined into five): (from, to) in whole years.
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "0-14": (0, 14),
    "15-39": (15, 39),
    "40-64": (40, 64),
    "65-79": (65, 79),
    "80-": (80, None),
}


class PatientListFilter(BaseModel):
    """The list's sort and filters; every one optional, the default being newest registration first."""

    sort: SortKey = "registered_on"
    descending: bool = True
    district: str = Field("", max_length=20)
    nurse: str = Field("", max_length=100)
    category: Category | None = None  # 登録区分
    status: Literal["active", "excluded"] | None = None  # 登録中 / 登録除外
    activity: Activity | None = None  # 活動性 ("none": not yet judged)
    age_band: AgeBand | None = None
    alerts: AlertFilter | None = None  # 注意事項 present, 要対応 present, or none


class ListAlertRead(BaseModel):
    """One open alert as the list shows it: its level in words and its message."""

    level: str
    message: str
    due_on: date | None = None


class PatientListRead(PatientRead):
    """A patient as the list shows it: the patient with 活動性, 注意事項 and 次回予定."""

    activity: str = ""
    alert_count: int = 0
    urgent_count: int = 0
    alerts: list[ListAlertRead] = Field(default_factory=list)
    next_due_on: date | None = None
    next_due_what: str = ""


class PatientListPage(BaseModel):
    """One page of the patient list and how many patients match its filters."""

    items: list[PatientListRead]
    total: int


class NurseLoadRead(BaseModel):
    """One 担当保健師 (as recorded on the patients) and how many patients they carry."""

    nurse: str  # "" = not assigned (未割当)
    districts: list[str]
    total: int  # every patient naming this nurse
    active: int  # still registered (not 登録除外)
    with_alerts: int  # registered ones with an open 注意事項
    urgent: int  # registered ones with a 要対応 alert


class NurseLoadPage(BaseModel):
    """Every 担当保健師 named on a patient, by name."""

    items: list[NurseLoadRead]
