"""What the care-record APIs accept and return: treatments, hospitalisations, transfers, notes, 公費負担.

The code lists live in care/codes.py and are re-exported here for the modules that read them with the schemas.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator, model_validator
from tbms_core.jp.check_digits import institution_code_is_valid, municipality_code_is_valid
from tbms_core.jp.fields import FlexibleDate, OptionalDate, Text, known_choice, not_future
from tbms_core.jp.wareki import format_wareki

from patients.care.codes import (
    CONTACT_MODES,
    DIRECTIONS,
    KEY_CHANNELS,
    NOTE_KINDS,
    OUTCOMES,
    PUBLIC_EXPENSE_BASES,
    PUBLIC_EXPENSE_STATUSES,
    SENDING_METHODS,
    TRANSFER_DOCUMENTS,
)
from patients.care.numbers import LAW_NUMBERS, PAYER_DIGITS, RECIPIENT_DIGITS, has_valid_check_digit


def _in_order(first: date | None, then: date | None, message: str) -> None:
    if first and then and then < first:
        raise ValueError(message)


def institution_code(value: str | None) -> str:
    """A masters 医療機関コード kept beside a picked name: empty (typed without picking) or 10 digits that check."""
    if not value:
        return ""
    if not (len(value) == 10 and value.isascii() and value.isdigit()):
        raise ValueError("医療機関コードは10桁の数字です。医療機関を候補から選び直してください。")
    if not institution_code_is_valid(value):
        raise ValueError("医療機関コードの検証番号（最後の1桁）が合いません。医療機関を候補から選び直してください。")
    return value


def municipality_code(value: str | None) -> str:
    """A masters 全国地方公共団体コード kept beside a picked name: empty, or 6 digits whose 検査数字 checks."""
    if not value:
        return ""
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValueError("全国地方公共団体コードは6桁の数字です。保健所・自治体を候補から選び直してください。")
    if not municipality_code_is_valid(value):
        raise ValueError(
            "全国地方公共団体コードの検査数字（最後の1桁）が合いません。保健所・自治体を候補から選び直してください。"
        )
    return value


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TreatmentUpdate(_Input):
    """The items of a treatment course; all optional so a correction can name only what changes."""

    regimen: str | None = Field(default=None, max_length=40)  # a code of the コード表, checked by the service
    regimen_note: Text | None = Field(default=None, max_length=200)
    started_on: FlexibleDate | None = None
    planned_end_on: FlexibleDate | None = None
    ended_on: FlexibleDate | None = None
    outcome: str | None = None
    institution: Text | None = Field(default=None, max_length=200)
    institution_code: Text | None = None  # the masters 医療機関コード when the institution was picked
    note: Text | None = Field(default=None, max_length=2000)
    custom: dict[str, Any] | None = None  # configurable fields (R33), checked by the service

    @field_validator("institution_code")
    @classmethod
    def _institution_code(cls, value: str | None) -> str:
        return institution_code(value)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str | None) -> str | None:
        return known_choice(OUTCOMES, "治療成績（転帰）", value)

    @field_validator("started_on", "ended_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)

    @model_validator(mode="after")
    def _dates(self) -> TreatmentUpdate:
        _in_order(self.started_on, self.planned_end_on, "終了予定日が開始日より前になっています。")
        _in_order(self.started_on, self.ended_on, "終了日が開始日より前になっています。")
        return self


class TreatmentCreate(TreatmentUpdate):
    """A new treatment course (or a corrected one as a whole): at least the regimen and the start date."""

    regimen: str = Field(max_length=40)
    started_on: FlexibleDate

    @model_validator(mode="after")
    def _other_is_described(self) -> TreatmentCreate:
        if self.regimen == "other" and not self.regimen_note:
            raise ValueError("処方が「その他」のときは内容を処方の備考に入力してください。")
        return self


class HospitalisationUpdate(_Input):
    """The items of a hospital stay."""

    hospital: Text | None = Field(default=None, min_length=1, max_length=200)
    hospital_code: Text | None = None  # the masters 医療機関コード when the hospital was picked
    admitted_on: FlexibleDate | None = None
    discharged_on: FlexibleDate | None = None
    recommended: bool | None = None
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("hospital_code")
    @classmethod
    def _hospital_code(cls, value: str | None) -> str:
        return institution_code(value)

    @field_validator("admitted_on", "discharged_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)

    @model_validator(mode="after")
    def _dates(self) -> HospitalisationUpdate:
        _in_order(self.admitted_on, self.discharged_on, "退院日が入院日より前になっています。")
        return self


class HospitalisationCreate(HospitalisationUpdate):
    """A new hospital stay: at least the hospital and the admission date."""

    hospital: Text = Field(min_length=1, max_length=200)
    admitted_on: FlexibleDate


class TransferUpdate(_Input):
    """The items of a move into or out of the area."""

    direction: str | None = None
    moved_on: FlexibleDate | None = None
    counterpart: Text | None = Field(default=None, max_length=200)
    counterpart_code: Text | None = None  # the masters 全国地方公共団体コード when the counterpart was picked
    address: Text | None = Field(default=None, max_length=300)
    card_sent_on: FlexibleDate | None = None
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("counterpart_code")
    @classmethod
    def _counterpart_code(cls, value: str | None) -> str:
        return municipality_code(value)

    @field_validator("direction")
    @classmethod
    def _direction(cls, value: str | None) -> str | None:
        return known_choice(DIRECTIONS, "転入・転出の別", value)

    @model_validator(mode="after")
    def _dates(self) -> TransferUpdate:
        if self.card_sent_on and self.direction == "in":
            raise ValueError("登録票の送付日は転出のときだけ入力します。")
        return self


class TransferCreate(TransferUpdate):
    """A new transfer: at least the direction and the date."""

    direction: str
    moved_on: FlexibleDate


class ProgressNoteUpdate(_Input):
    """The items of a progress note."""

    noted_on: FlexibleDate | None = None
    kind: str | None = None
    text: Text | None = Field(default=None, min_length=1, max_length=4000)
    contact: str | None = None  # 2号記録: 訪問, 来所, 電話, 会議, 文書
    met: Text | None = Field(default=None, max_length=200)
    next_action: Text | None = Field(default=None, max_length=2000)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str | None) -> str | None:
        return known_choice(NOTE_KINDS, "記録の種類", value)

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str | None) -> str | None:
        return known_choice(CONTACT_MODES, "対応の種別", value) if value else value

    @field_validator("noted_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)


class ProgressNoteCreate(ProgressNoteUpdate):
    """A new progress note: date, kind and text."""

    noted_on: FlexibleDate
    kind: str
    text: Text = Field(min_length=1, max_length=4000)


def six_months_end(start: date) -> date:
    """The last day of a six-month cover from `start`: the day before the same day six months on."""
    year, month = divmod(start.month - 1 + 6, 12)
    year, month = start.year + year, month + 1
    last = calendar.monthrange(year, month)[1]
    # 民法143条: when that month has no such day (31 Aug → Feb), the period ends on its last day.
    return date(year, month, last) if start.day > last else date(year, month, start.day) - timedelta(days=1)


def _number(value: str | None, what: str, digits: int, basis: str = "") -> str:
    """A 公費 number as stored: empty, or the exact digits with the 法別番号 of its basis and a right 検証番号."""
    if not value:
        return ""
    if not (value.isascii() and value.isdigit() and len(value) == digits):
        raise ValueError(f"{what}は{digits}桁の数字で入力してください。")
    law_number = LAW_NUMBERS.get(basis)
    if law_number and not value.startswith(law_number):
        raise ValueError(
            f"{PUBLIC_EXPENSE_BASES[basis]}の{what}は法別番号「{law_number}」で始まります。番号と根拠を確認してください。"
        )
    if not has_valid_check_digit(value):
        raise ValueError(f"{what}の検証番号（最後の1桁）が合いません。番号の誤りがないか確認してください。")
    return value


class PublicExpenseUpdate(_Input):
    """The items of a 公費負担 (法37条・37条の2) application and its decision."""

    basis: str | None = None
    applied_on: FlexibleDate | None = None
    status: str | None = None
    valid_from: FlexibleDate | None = None
    valid_to: FlexibleDate | None = None
    payer_number: Text | None = None  # 公費負担者番号
    recipient_number: Text | None = None  # 受給者番号
    institution: Text | None = Field(default=None, max_length=200)  # 指定医療機関
    institution_code: Text | None = None  # the masters 医療機関コード when the institution was picked
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("basis", "status", mode="before")
    @classmethod
    def _chosen(cls, value: object, info: ValidationInfo) -> object:
        if value is None or value == "":
            what = "公費負担の根拠（37条・37条の2）" if info.field_name == "basis" else "申請の状況"
            raise ValueError(f"{what}を選んでください。")
        return value

    @field_validator("basis")
    @classmethod
    def _basis(cls, value: str | None) -> str | None:
        return known_choice(PUBLIC_EXPENSE_BASES, "公費負担の根拠", value)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        return known_choice(PUBLIC_EXPENSE_STATUSES, "申請の状況", value)

    @field_validator("applied_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)

    @field_validator("valid_to")
    @classmethod
    def _period(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if value is None or start is None:
            return value
        if value < start:
            raise ValueError("有効期間の終了日が開始日より前になっています。")
        # 37条の2 cover stops six months after the application (TB_PRACTICE §3.1); a longer course is reapplied.
        if info.data.get("basis") == "37-2" and value > (last := six_months_end(start)):
            raise ValueError(f"37条の2の有効期間は6か月以内です（この開始日では{format_wareki(last)}まで）。")
        return value

    @field_validator("payer_number")
    @classmethod
    def _payer_number(cls, value: str | None, info: ValidationInfo) -> str:
        return _number(value, "公費負担者番号", PAYER_DIGITS, str(info.data.get("basis") or ""))

    @field_validator("recipient_number")
    @classmethod
    def _recipient_number(cls, value: str | None) -> str:
        return _number(value, "受給者番号", RECIPIENT_DIGITS)

    @field_validator("institution", "note")
    @classmethod
    def _text(cls, value: str | None) -> str:
        return value or ""

    @field_validator("institution_code")
    @classmethod
    def _institution_code(cls, value: str | None) -> str:
        return institution_code(value)


class PublicExpenseCreate(PublicExpenseUpdate):
    """A new 公費負担 record: at least its basis; an approved one also its period of validity."""

    basis: str
    status: str = "applied"
    valid_from: FlexibleDate | None = Field(default=None, validate_default=True)
    valid_to: FlexibleDate | None = Field(default=None, validate_default=True)

    @field_validator("valid_from", "valid_to")
    @classmethod
    def _approved_has_period(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None and info.data.get("status") == "approved":
            end = "開始日" if info.field_name == "valid_from" else "終了日"
            raise ValueError(f"承認のときは有効期間の{end}を入力してください。")
        return value


class CareChange(BaseModel):
    """A correction of a care record, based on the version the user saw.

    The service checks `changes` against the kind's Update schema after the version, so a stale form is answered
    409 first and each message names the item itself (`status`, not `changes.status`).
    """

    version: int = Field(ge=1)
    changes: dict[str, Any]
    reason: Text = Field(default="", max_length=500)


def _documented_as(update: type[BaseModel]) -> Any:
    """`changes` as the mapping the service checks, shown in OpenAPI with the items of the kind's Update schema."""
    return Annotated[dict[str, Any], WithJsonSchema(update.model_json_schema())]


TreatmentChanges = _documented_as(TreatmentUpdate)
HospitalisationChanges = _documented_as(HospitalisationUpdate)
TransferChanges = _documented_as(TransferUpdate)
ProgressNoteChanges = _documented_as(ProgressNoteUpdate)
PublicExpenseChanges = _documented_as(PublicExpenseUpdate)


class TreatmentChange(CareChange):
    """A correction of a treatment course."""

    changes: TreatmentChanges


class HospitalisationChange(CareChange):
    """A correction of a hospital stay."""

    changes: HospitalisationChanges


class TransferChange(CareChange):
    """A correction of a move into or out of the area."""

    changes: TransferChanges


class ProgressNoteChange(CareChange):
    """A correction of a progress note."""

    changes: ProgressNoteChanges


class PublicExpenseChange(CareChange):
    """A correction of a 公費負担 record, e.g. its approval."""

    changes: PublicExpenseChanges


class TransferSend(BaseModel):
    """A sending of a 転出 patient's documents to the new health centre, based on the transfer's version the user saw.

    An electronic sending names the encrypted file (made by reports) and the other channel its key went by: the key
    never travels in the same mail as the file (N32)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    documents: list[str] = Field(default_factory=list)  # TRANSFER_DOCUMENTS codes
    other_documents: Text = Field(default="", max_length=300, validate_default=True)  # その他, named by the user
    recipient: Text = Field(default="", max_length=300)  # empty: the transfer's counterpart 保健所
    method: str
    sent_on: FlexibleDate
    package_id: uuid.UUID | None = Field(default=None, validate_default=True)
    package_sha256: str = Field(default="", validate_default=True)
    key_channel: str = Field(default="", validate_default=True)
    key_sent_on: OptionalDate = Field(default=None, validate_default=True)
    note: Text = Field(default="", max_length=500)

    @field_validator("documents")
    @classmethod
    def _documents(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in TRANSFER_DOCUMENTS]
        if unknown:
            names = "・".join(TRANSFER_DOCUMENTS.values())
            raise ValueError(f"送付した書類を選択肢から選んでください（{names}）。")
        return list(dict.fromkeys(value))

    @field_validator("other_documents")
    @classmethod
    def _something(cls, value: str, info: ValidationInfo) -> str:
        if not value and not info.data.get("documents"):
            raise ValueError("送付した書類を選ぶか、その他の書類の名前を入力してください。")
        return value

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value not in SENDING_METHODS:
            raise ValueError("送付方法を選択肢から選んでください（" + "・".join(SENDING_METHODS.values()) + "）。")
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

    @field_validator("package_sha256")
    @classmethod
    def _sha256(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip().lower()
        if info.data.get("method") == "electronic" and not (
            len(value) == 64 and all(c in "0123456789abcdef" for c in value)
        ):
            raise ValueError("暗号化ファイルのSHA-256（64桁の16進数）を指定してください。")
        if info.data.get("method") != "electronic" and value:
            raise ValueError("紙で送るときは暗号化ファイルのSHA-256を指定しません。")
        return value

    @field_validator("key_channel")
    @classmethod
    def _key(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("method") == "electronic" and value not in KEY_CHANNELS:
            raise ValueError(
                "パスワードの伝達方法を選んでください（ファイルと同じメールでは送れません："
                + "・".join(KEY_CHANNELS.values())
                + "）。"
            )
        if info.data.get("method") != "electronic" and value:
            raise ValueError("紙で送るときはパスワードの伝達方法は入力しません。")
        return value

    @field_validator("key_sent_on")
    @classmethod
    def _key_sent(cls, value: date | None, info: ValidationInfo) -> date | None:
        if info.data.get("method") != "electronic":
            if value is not None:
                raise ValueError("紙で送るときはパスワードを伝えた日は入力しません。")
            return None
        if value is None:
            raise ValueError("パスワードを伝えた日を入力してください。")
        not_future(value)
        sent = info.data.get("sent_on")
        if sent and value < sent:
            raise ValueError("パスワードを伝えた日がファイルの送付日より前になっています。")
        return value


class SendingChange(BaseModel):
    """A correction of a recorded sending (a sending is never deleted), based on the transfer's version the user saw;
    `changes` names the items of TransferSend that change, and the reason is required."""

    version: int = Field(ge=1)
    changes: dict[str, Any]
    reason: Text = Field(min_length=1, max_length=500)


class TransferSendingRead(BaseModel):
    """A recorded 転出 sending as the API shows it, with the labels of its codes."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    transfer_id: uuid.UUID
    documents: list[str]
    other_documents: str
    recipient: str
    method: str
    sent_on: date
    package_id: uuid.UUID | None
    package_sha256: str
    key_channel: str
    key_sent_on: date | None
    note: str
    sent_by: str
    sent_by_name: str
    recorded_at: datetime
    labels: dict[str, str] = {}


class CareRecordRead(BaseModel):
    """A care record as the API shows it: its items plus labels of the coded ones."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    version: int
    updated_at: datetime | None
    updated_by: str
    data: dict[str, Any]
    labels: dict[str, str] = {}
    sendings: list[TransferSendingRead] = []  # a 転出's sendings to the new health centre, oldest first


class CarePage(BaseModel):
    """A patient's records of one kind, newest first."""

    items: list[CareRecordRead]
