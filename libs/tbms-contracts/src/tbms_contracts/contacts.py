"""Events of the contacts service; each carries the full current snapshot of the contact."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class ExposureSnapshot(BaseModel):
    """One exposure of the contact to an index patient."""

    model_config = ConfigDict(frozen=True)

    id: str
    index_patient_id: str
    setting: str  # a code of masters' コード表 接触の場 (household, family, workplace … as seeded)
    setting_label: str = ""  # its label in the コード表 (ended codes too), for forms printed from the snapshot
    relation: str = ""
    first_contact_on: date | None = None
    last_contact_on: date | None = None
    hours: float | None = None
    frequency: str = ""
    closed_room: bool = False
    poor_ventilation: bool = False
    infectiousness: str = "unknown"  # of the index patient: high, low, none, unknown


class IrradiationSnapshot(BaseModel):
    """The irradiation conditions of a chest X-ray (照射録: 診療放射線技師法第28条, 同法施行規則第16条)."""

    model_config = ConfigDict(frozen=True)

    projection: str = ""  # pa, ap, lateral, pa_lateral
    projection_label: str = ""
    exposures: int | None = None  # 撮影回数
    kv: float | None = None  # 管電圧 (kV)
    ma: float | None = None  # 管電流 (mA)
    time_s: float | None = None  # 照射時間 (s)
    mas: float | None = None  # 管電流時間積 (mAs)
    distance_cm: int | None = None  # 撮影距離 (cm)
    device: str = ""  # 装置
    radiographer: str = ""  # 撮影者 (診療放射線技師)
    physician: str = ""  # 指示をした医師
    instruction: str = ""  # 指示の内容


class ExamSnapshot(BaseModel):
    """One screening examination of the contact."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    kind: str  # igra_qft, igra_tspot, tst, xray, sputum
    status: str  # planned, done, cancelled
    planned_on: date | None = None
    done_on: date | None = None
    institution: str = ""
    institution_code: str = ""
    result: str = ""
    value: str = ""
    erythema_mm: int | None = None
    induration_mm: int | None = None
    finding: str = ""
    kind_label: str = ""
    result_label: str = ""
    institution_name: str = ""
    appointment_on: date | None = None  # 予約
    appointment_time: time | None = None
    appointment_place: str = ""
    appointment_place_code: str = ""
    received_at: datetime | None = None  # 受付
    received_on: date | None = None
    reception_place: str = ""
    receipt_no: int | None = None
    received_by: str = ""
    irradiation: IrradiationSnapshot | None = None  # chest X-ray: the 照射録's conditions


class RecommendationSnapshot(BaseModel):
    """One 17条 勧告 issued to the contact (F18 prints it)."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    issued_on: date
    delivery: str  # hand, mail, other
    delivery_label: str = ""
    delivery_note: str = ""
    exams: list[str] = []
    exam_labels: list[str] = []
    deadline_on: date
    note: str = ""
    status: str = "issued"  # issued, cancelled (取消: kept, marked; not to be printed as in force)
    cancelled_on: date | None = None
    cancel_reason: str = ""


class Deadline(BaseModel):
    """Something due for the contact, when, and the rule that set the date (for the to-do list)."""

    model_config = ConfigDict(frozen=True)

    what: str  # igra, tst, xray
    step: str  # baseline, after_window, now, month_6 …
    due_on: date
    why: str


class ContactSnapshot(BaseModel):
    """The contact as the owning service holds it now (event-carried state)."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    found_on: date
    name: str
    name_kana: str = ""
    sex: str = ""
    birth_date: date | None = None
    address: str = ""
    phone: str = ""
    affiliation: str = ""
    residence: str = "here"  # here, elsewhere
    municipality: str = ""
    municipality_code: str = ""
    risk_factors: list[str] = []
    symptomatic: bool = False
    priority: str = ""  # top, high, low: the override when there is one, else the suggestion
    priority_suggested: str = ""
    outcome: str = ""
    outcome_on: date | None = None
    status: str = "active"  # active, ended
    ended_on: date | None = None
    end_reason: str = ""  # a code of masters' コード表 終了の理由
    end_reason_label: str = ""
    nurse: str = ""  # the contact's own 担当保健師 (user name); "" = the index patient's
    exposures: list[ExposureSnapshot] = []
    exams: list[ExamSnapshot] = []
    recommendations: list[RecommendationSnapshot] = []
    deadlines: list[Deadline] = []  # open plan items, earliest first
    patient_id: str = ""  # the registered patient this contact is (handed over after 発病, or already a patient)


class ContactRegistered(BaseModel):
    """A contact of an index patient was registered (接触者登録)."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.contacts.contact.registered.v1"

    contact: ContactSnapshot


class ContactUpdated(BaseModel):
    """A contact, an exposure or a screening examination changed; the snapshot is the state after it."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.contacts.contact.updated.v1"

    contact: ContactSnapshot
    changed_fields: list[str] = []


class RequestItemSnapshot(BaseModel):
    """A person a request concerns, with what the letters print: identity, the screening asked for, results."""

    model_config = ConfigDict(frozen=True)

    contact_id: str
    name: str
    name_kana: str = ""
    birth_date: date | None = None
    address: str = ""
    recommended: str = ""
    results: list[str] = []  # the examinations done, as printed (e.g. "2026-11-02 IGRA（QFT） 陰性")
    reply_note: str = ""


class RequestSnapshot(BaseModel):
    """A request to or from another municipality's health centre (依頼・回答) as the contacts service holds it."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    direction: str  # outgoing (他自治体への依頼), incoming (他自治体からの依頼)
    status: str  # draft, sent, awaiting, answered, withdrawn (outgoing); received, answered, withdrawn (incoming)
    counterpart_code: str = ""
    counterpart_name: str
    reference: str = ""
    requested_on: date
    reply_by: date | None = None
    sent_on: date | None = None
    replied_on: date | None = None
    index_patient_id: str  # our patient, or the external index recorded for the sender's case
    index_infectiousness: str = "unknown"
    index_diagnosed_on: date | None = None
    index_infectious_from: date | None = None
    index_infectious_until: date | None = None
    contact_ids: list[str] = []
    deadlines: list[Deadline] = []  # the reply awaited (outgoing) or owed (incoming) while open
    counterpart_section: str = ""
    index_label: str = ""  # the external index's label (incoming); our patient's name is never carried
    index_summary: str = ""
    attachments: list[str] = []
    items: list[RequestItemSnapshot] = []


class RequestChanged(BaseModel):
    """A request was created, corrected, sent, answered or withdrawn; the snapshot is the state after it."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.contacts.request.changed.v1"

    request: RequestSnapshot
    change: str  # created, corrected, packaged, sent, acknowledged, replied, answered, withdrawn
