"""What the request API accepts and returns: requests both directions, their contacts, replies and sendings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from tbms_core.jp.fields import FlexibleDate, OptionalDate, Text, not_future

from contacts.contact.schemas import Infectiousness, Setting
from contacts.exam.schemas import ExamCreate


class Direction(StrEnum):
    """Which way the request goes."""

    OUTGOING = "outgoing"  # 他自治体への依頼
    INCOMING = "incoming"  # 他自治体からの依頼


STATUS_LABELS = {
    "draft": "下書き",
    "sent": "送付済",
    "awaiting": "回答待ち",
    "answered": "回答済",
    "withdrawn": "取下げ",
    "received": "受付",
}
DIRECTION_LABELS = {"outgoing": "他自治体への依頼", "incoming": "他自治体からの依頼"}
OPEN_STATUSES = ("draft", "sent", "awaiting", "received")
METHOD_LABELS = {"paper_mail": "郵送（紙）", "hand": "手渡し（紙）", "electronic": "電子ファイル（暗号化）"}
KEY_CHANNEL_LABELS = {"phone": "電話で伝達", "fax": "FAXで送付", "post": "別便で郵送", "hand": "手渡し"}
INFECTIOUSNESS_LABELS = {"high": "高感染性", "low": "低感染性", "none": "感染性なし", "unknown": "未評価"}


class Attachment(BaseModel):
    """A document of the record sent with the request (e.g. a report PDF), named as the user knows it."""

    title: Text = Field(min_length=1, max_length=200)
    document_id: str = Field(default="", max_length=100)


class IndexSummary(BaseModel):
    """What the addressee needs of the index case: infectiousness and dates, no name or address."""

    infectiousness: Infectiousness = Infectiousness.UNKNOWN
    diagnosed_on: OptionalDate = None
    infectious_from: OptionalDate = None
    infectious_until: OptionalDate = None
    summary: Text = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _period(self) -> IndexSummary:
        if self.infectious_from and self.infectious_until and self.infectious_from > self.infectious_until:
            raise ValueError("感染性期間の開始日が終了日より後になっています。")
        return self


class ItemCreate(BaseModel):
    """A contact of the index patient the request concerns, and the screening recommended for them."""

    contact_id: uuid.UUID
    recommended: Text = Field(default="", max_length=300)


class _Dates(BaseModel):
    @model_validator(mode="after")
    def _reply_by(self) -> _Dates:
        requested, reply_by = getattr(self, "requested_on", None), getattr(self, "reply_by", None)
        if requested and reply_by and reply_by < requested:
            raise ValueError("回答期限が依頼日より前になっています。")
        return self


class OutgoingCreate(_Dates):
    """A request to another health centre, saved as 下書き."""

    counterpart_code: Text = Field(default="", max_length=10)
    counterpart_name: Text = Field(min_length=1, max_length=200)
    counterpart_section: Text = Field(default="", max_length=200)
    reference: Text = Field(default="", max_length=100)
    requested_on: OptionalDate = None
    reply_by: OptionalDate = None
    index_patient_id: uuid.UUID
    index: IndexSummary = Field(default_factory=IndexSummary)
    items: list[ItemCreate] = Field(min_length=1, max_length=500)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    note: Text = Field(default="", max_length=2000)


class RequestUpdate(BaseModel):
    """The fields of a draft a correction names; absent ones are kept."""

    counterpart_code: Text | None = Field(default=None, max_length=10)
    counterpart_name: Text | None = Field(default=None, min_length=1, max_length=200)
    counterpart_section: Text | None = Field(default=None, max_length=200)
    reference: Text | None = Field(default=None, max_length=100)
    reply_by: OptionalDate = None
    attachments: list[Attachment] | None = Field(default=None, max_length=20)
    note: Text | None = Field(default=None, max_length=2000)


class RequestChange(BaseModel):
    """A correction of a request, based on the version the user saw."""

    version: int = Field(ge=1)
    changes: RequestUpdate
    reason: Text = Field(default="", max_length=500)


class PersonToExamine(BaseModel):
    """A person an incoming request asks us to examine, as the sender gives them, with the exposure."""

    name: Text = Field(min_length=1, max_length=100)
    name_kana: Text = Field(default="", max_length=200)
    sex: str = Field(default="", pattern=r"^(male|female|)$")
    birth_date: OptionalDate = None
    address: Text = Field(default="", max_length=300)
    phone: Text = Field(default="", max_length=20)
    affiliation: Text = Field(default="", max_length=200)
    setting: Setting
    relation: Text = Field(default="", max_length=50)
    first_contact_on: OptionalDate = None
    last_contact_on: OptionalDate = None
    hours: float | None = Field(default=None, ge=0, le=100000)
    closed_room: bool = False
    recommended: Text = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _dates(self) -> PersonToExamine:
        if self.first_contact_on and self.last_contact_on and self.first_contact_on > self.last_contact_on:
            raise ValueError("初回接触日が最終接触日より後になっています。")
        return self


class IncomingCreate(_Dates):
    """A request received from another health centre, with the sender's index case and the people to examine."""

    counterpart_code: Text = Field(default="", max_length=10)
    counterpart_name: Text = Field(min_length=1, max_length=200)
    counterpart_section: Text = Field(default="", max_length=200)
    reference: Text = Field(default="", max_length=100)
    requested_on: FlexibleDate  # the date on the sender's letter
    reply_by: OptionalDate = None
    index_label: Text = Field(min_length=1, max_length=100)  # how the sender names its case (e.g. 患者番号)
    index: IndexSummary = Field(default_factory=IndexSummary)
    people: list[PersonToExamine] = Field(min_length=1, max_length=500)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    note: Text = Field(default="", max_length=2000)

    @field_validator("requested_on")
    @classmethod
    def _past(cls, value: date) -> date:
        return not_future(value) or value


class Send(BaseModel):
    """The request (or our reply) was sent: how, to whom, what, and for a file how its key travelled."""

    version: int = Field(ge=1)
    method: str
    sent_on: FlexibleDate
    recipient: Text = Field(default="", max_length=300)
    documents: Text = Field(min_length=1, max_length=500)
    package_id: uuid.UUID | None = Field(default=None, validate_default=True)
    key_channel: str = Field(default="", validate_default=True)
    key_sent_on: OptionalDate = None
    note: Text = Field(default="", max_length=500)

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value not in METHOD_LABELS:
            raise ValueError("送付方法を選択肢から選んでください（" + "・".join(METHOD_LABELS.values()) + "）。")
        return value

    @field_validator("sent_on")
    @classmethod
    def _sent(cls, value: date) -> date:
        return not_future(value) or value

    @field_validator("package_id")
    @classmethod
    def _package(cls, value: uuid.UUID | None, info: ValidationInfo) -> uuid.UUID | None:
        if info.data.get("method") == "electronic" and value is None:
            raise ValueError("電子ファイルで送るときは、暗号化ファイルを作成してから送付を記録してください。")
        if info.data.get("method") != "electronic" and value is not None:
            raise ValueError("紙で送るときは暗号化ファイルを指定しません。")
        return value

    @field_validator("key_channel")
    @classmethod
    def _key(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("method") == "electronic" and value not in KEY_CHANNEL_LABELS:
            raise ValueError(
                "パスワードの伝達方法を選んでください（ファイルと同じメールでは送れません："
                + "・".join(KEY_CHANNEL_LABELS.values())
                + "）。"
            )
        if info.data.get("method") != "electronic" and value:
            raise ValueError("紙で送るときはパスワードの伝達方法は入力しません。")
        return value


class Acknowledge(BaseModel):
    """The addressee confirmed receipt (受領確認): from now on the request waits for the reply."""

    version: int = Field(ge=1)
    acknowledged_on: FlexibleDate
    note: Text = Field(default="", max_length=500)


class ContactResult(BaseModel):
    """The reply's results for one contact of the request: examinations done there, entered as done here."""

    contact_id: uuid.UUID
    exams: list[ExamCreate] = Field(default_factory=list, max_length=10)
    note: Text = Field(default="", max_length=1000)


class ReplyReceived(BaseModel):
    """The addressee's reply: the results per contact, the reply document attached; the request is closed."""

    version: int = Field(ge=1)
    replied_on: FlexibleDate
    document: Text = Field(min_length=1, max_length=300)  # the reply document as filed (title or document id)
    note: Text = Field(default="", max_length=2000)
    results: list[ContactResult] = Field(default_factory=list, max_length=500)

    @field_validator("replied_on")
    @classmethod
    def _past(cls, value: date) -> date:
        return not_future(value) or value


class Withdraw(BaseModel):
    """The request is withdrawn (取下げ): it stays in the record and the history."""

    version: int = Field(ge=1)
    reason: Text = Field(min_length=1, max_length=300)


class ItemRead(BaseModel):
    """A contact of the request as the API shows it, with the screening results held here."""

    id: uuid.UUID
    contact_id: uuid.UUID
    name: str
    name_kana: str
    birth_date: date | None
    address: str
    recommended: str
    reply_note: str
    results: list[str] = []  # e.g. "2026-11-02 IGRA（QFT） 陰性"


class SendingRead(BaseModel):
    """One sending of personal data, as recorded."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    what: str
    documents: str
    recipient: str
    method: str
    method_label: str = ""
    sent_on: date
    package_id: uuid.UUID | None
    package_sha256: str
    key_channel: str
    key_channel_label: str = ""
    key_sent_on: date | None
    note: str
    sent_by_name: str
    recorded_at: datetime


class RequestRead(BaseModel):
    """A request with its contacts, the index summary, its sendings and how long it has waited."""

    id: uuid.UUID
    version: int
    direction: str
    direction_label: str
    status: str
    status_label: str
    counterpart_code: str
    counterpart_name: str
    counterpart_section: str
    reference: str
    requested_on: date
    reply_by: date | None
    index_patient_id: uuid.UUID
    index_name: str  # our patient's name (outgoing) or the external index's label; never put into a package
    index: IndexSummary
    attachments: list[Attachment]
    note: str
    sent_on: date | None
    acknowledged_on: date | None
    replied_on: date | None
    reply_document: str
    reply_note: str
    withdrawn_on: date | None
    withdraw_reason: str
    items: list[ItemRead]
    sendings: list[SendingRead]
    days_waiting: int | None  # since sending (outgoing) or receipt (incoming), while open
    overdue: bool


class RequestPage(BaseModel):
    """The board: requests of both directions."""

    items: list[RequestRead]
    total: int


class PackageMade(BaseModel):
    """An encrypted package made for sending. The key is in this answer only: it is not stored anywhere."""

    id: uuid.UUID
    filename: str
    sha256: str
    size: int
    password: str
    notice: str = (
        "このパスワードはこの画面でだけ表示され、システムには保存されません。"
        "ファイルとは別の方法（電話・FAX・別便）で相手先に伝え、送付記録に伝達方法を記録してください。"
    )
