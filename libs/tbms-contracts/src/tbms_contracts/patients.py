"""Events of the patients service; each carries the full current snapshot of the patient."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from tbms_contracts.deadlines import Deadline


class PatientSnapshot(BaseModel):
    """The patient as the owning service holds it now (event-carried state)."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    registration_no: str
    registered_on: date
    category: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    status: str = "active"
    district: str = ""
    nurse: str = ""
    excluded_on: date | None = None
    exclusion_reason: str = ""
    updated_at: datetime | None = None
    alias: str = ""  # 通称・旧姓
    occupation: str = ""
    birth_country: str = ""
    nationality: str = ""
    guardian: dict[str, Any] = {}
    notification: dict[str, Any] = {}  # 発生届: notified_on, type, doctor_name, institution_name, …
    disease: dict[str, Any] = {}  # form, extrapulmonary_sites, gakkai_side/type/extent, symptoms, dates
    clinical: dict[str, Any] = {}  # prior_treatment, risk_factors
    at_registration: dict[str, Any] = {}  # record #1: category, disease, clinical, bacteriology as at registration
    gakkai: str = ""  # 学会分類, e.g. bII2
    classification_code: str = ""  # 総合患者分類コード as derived when the patient was last saved
    classification: str = ""  # its Japanese label
    custom: dict[str, Any] = {}  # configurable fields (R33): {key: value}, values of inactive fields kept
    deadlines: list[Deadline] = []  # the patient's open deadlines when saved (R11); older events carry none


class PatientSnapshotPage(BaseModel):
    """A page of the patients' current snapshots in id order: what `tbms replay` rebuilds read models from (patients'
    `GET /admin/snapshots/patients`, and the body of `POST /admin/backfill/patients` of reports and contacts)."""

    items: list[PatientSnapshot]
    next_after: str | None = None  # the id to ask after for the next page; None on the last page
    reconciliation: uuid.UUID | None = None  # the `tbms reconcile` run repairing drift: kept in the operations log


class RecordVersion(BaseModel):
    """Which version of a record a service holds."""

    id: str
    version: int


class VersionPage(BaseModel):
    """A page of ids and versions in id order: the owner's (patients' `GET /admin/snapshots/patients/versions`) and
    a read model's (`GET /admin/backfill/patients` of reports and contacts), which `tbms reconcile` compares."""

    items: list[RecordVersion]
    next_after: str | None = None


class BackfillReport(BaseModel):
    """What a read model made of a page of snapshots."""

    received: int
    applied: int  # stored: the read model had an older version or none
    current: int  # the read model already held this version or a newer one (its event was there first)


class PatientRegistered(BaseModel):
    """A patient was registered (登録)."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.patient.registered.v1"

    patient: PatientSnapshot
    source_contact_id: str = ""  # the contact (接触者) handed over as this patient, for contacts to link them


class PatientUpdated(BaseModel):
    """A patient's data changed; the snapshot is the state after the change."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.patient.updated.v1"

    patient: PatientSnapshot
    changed_fields: list[str] = []


class LabResultSnapshot(BaseModel):
    """One bacteriology or infection test result (菌検査) as the patients service holds it now."""

    model_config = ConfigDict(frozen=True)

    id: str
    patient_id: str
    version: int
    kind: str  # smear, culture, naat, identification, dst, igra, tst
    specimen: str = ""
    collected_on: date | None = None
    result_on: date | None = None
    laboratory: str = ""
    details: dict[str, Any] = {}
    mdr: bool = False  # 多剤耐性: resistant to both INH and RFP
    summary: str = ""
    custom: dict[str, Any] = {}  # configurable fields (R33)


class LabResultSnapshotPage(BaseModel):
    """A page of the test results' current snapshots in id order (patients' `GET /admin/snapshots/lab-results`, the
    body of reports' `POST /admin/backfill/lab-results`): what `tbms replay reports` rebuilds 菌検査 from."""

    items: list[LabResultSnapshot]
    next_after: str | None = None
    reconciliation: uuid.UUID | None = None  # the `tbms reconcile` run repairing drift: kept in the operations log


class LabResultRecorded(BaseModel):
    """A test result was recorded for a patient."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.lab_result.recorded.v1"

    lab_result: LabResultSnapshot


class LabResultCorrected(BaseModel):
    """A recorded test result was corrected; the snapshot is the state after the change."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.lab_result.corrected.v1"

    lab_result: LabResultSnapshot
    changed_fields: list[str] = []


class CareRecordSnapshot(BaseModel):
    """A treatment course, hospital stay, transfer or progress note of a patient, as held now."""

    model_config = ConfigDict(frozen=True)

    id: str
    patient_id: str
    version: int
    # treatment, hospitalisation, transfer, progress_note; DOTS: dots_assessment, dots_plan, dots_confirmation,
    # dots_cohort_review
    kind: str
    data: dict[str, Any] = {}
    labels: dict[str, str] = {}  # Japanese labels of the coded items (regimen, outcome, …)


class CareRecordSnapshotPage(BaseModel):
    """A page of the current snapshots of every record CareRecordSaved carries (treatments, stays, transfers,
    progress notes, 公費負担 and the DOTS records) in id order (patients' `GET /admin/snapshots/care-records`, the body
    of reports' `POST /admin/backfill/care-records`): what `tbms replay reports` rebuilds the care records from."""

    items: list[CareRecordSnapshot]
    next_after: str | None = None
    reconciliation: uuid.UUID | None = None  # the `tbms reconcile` run repairing drift: kept in the operations log


class CareRecordSaved(BaseModel):
    """A care record was recorded (`created`) or corrected; the snapshot is the state after the change."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.care_record.saved.v1"

    care_record: CareRecordSnapshot
    created: bool = False
    changed_fields: list[str] = []


class FollowupExamSnapshot(BaseModel):
    """One 管理検診 of a patient as held now: its due date with the rule behind it, notice, appointment, results."""

    model_config = ConfigDict(frozen=True)

    id: str
    patient_id: str
    version: int
    seq: int
    due_on: date
    reason: str  # why the due date is what it is, in Japanese
    profile: str  # the schedule's key
    profile_label: str = ""
    basis: str = ""  # the schedule's basis (law, notice, or the health center's setting)
    ended_on: date | None = None  # the end of treatment the schedule counts from
    cancelled: bool = False
    data: dict[str, Any] = {}  # notice_sent_on, appointment_on, place, institution, results, judgement, …
    labels: dict[str, str] = {}  # Japanese labels of the coded items (place, method, judgement, outreach)


class FollowupExamSnapshotPage(BaseModel):
    """A page of the 管理検診' current snapshots in id order (patients' `GET /admin/snapshots/followup-exams`, the
    body of reports' `POST /admin/backfill/followup-exams`)."""

    items: list[FollowupExamSnapshot]
    next_after: str | None = None
    reconciliation: uuid.UUID | None = None  # the `tbms reconcile` run repairing drift: kept in the operations log


class FollowupExamSaved(BaseModel):
    """A 管理検診 was scheduled (`created`), rescheduled or recorded; the snapshot is the state after the change."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.followup_exam.saved.v1"

    followup_exam: FollowupExamSnapshot
    created: bool = False
    changed_fields: list[str] = []


class InvestigationSnapshot(BaseModel):
    """A patient's 行動調査 as held now: the interview items and the computed (or overridden) infectious period
    and delays, each with the rule that produced it."""

    model_config = ConfigDict(frozen=True)

    id: str
    patient_id: str
    version: int
    interviewed_on: date | None = None
    interviewer: str = ""
    items: dict[str, Any] = {}
    period: dict[str, Any] = {}  # start, end, case, rule, end_rule, overridden, override_reason
    delays: list[dict[str, Any]] = []  # kind, since, until, threshold, delayed, rule
    extra_items: dict[str, str] = {}  # the labels of the items the health center added (items.extra holds the values)


class InvestigationSnapshotPage(BaseModel):
    """A page of the 行動調査' current snapshots in id order (patients' `GET /admin/snapshots/investigations`, the
    body of reports' `POST /admin/backfill/investigations`)."""

    items: list[InvestigationSnapshot]
    next_after: str | None = None
    reconciliation: uuid.UUID | None = None  # the `tbms reconcile` run repairing drift: kept in the operations log


class InvestigationSaved(BaseModel):
    """A 行動調査 was recorded (`created`) or corrected."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.investigation.saved.v1"

    investigation: InvestigationSnapshot


class BoardRecordSnapshot(BaseModel):
    """A record of the 診査会 as held now: a session, a case with its decision, a 患者票 or a 勧告."""

    model_config = ConfigDict(frozen=True)

    id: str
    patient_id: str = ""  # empty for a session
    version: int
    kind: str  # session, case, card, measure
    data: dict[str, Any] = {}
    labels: dict[str, str] = {}  # Japanese labels of the coded items (kind, decision, article, …)


class BoardRecordSnapshotPage(BaseModel):
    """A page of the 診査会 records' current snapshots (sessions, cases, 患者票, 勧告) in id order (patients' `GET
    /admin/snapshots/board-records`, the body of reports' `POST /admin/backfill/board-records`)."""

    items: list[BoardRecordSnapshot]
    next_after: str | None = None
    reconciliation: uuid.UUID | None = None  # the `tbms reconcile` run repairing drift: kept in the operations log


class BoardRecordSaved(BaseModel):
    """A 診査会 record was created (`created`) or changed; the snapshot is the state after the change."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.board_record.saved.v1"

    board_record: BoardRecordSnapshot
    created: bool = False
    changed_fields: list[str] = []
