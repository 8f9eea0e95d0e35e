"""The registration card's fields (結核登録票): person, notification, disease, clinical, record #1, exclusion.

Choices come from the patients service's code lists (GET /reference/card) by name; the configurable fields
(R33) from its definitions. Dotted names (`disease.gakkai_type`) are the API's own, so its messages land on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.forms import BIRTH_DATE_HINT, DATE_HINT, Field, Picker, every_code
from gateway.pages.patients.entry_forms.lab import BACTERIOLOGY_CHOICES, DST_CHOICES

REASON_HINT = "例: 本人の申し出により訂正（修正履歴に残ります）"
REASON = Field("reason", "修正理由", hint=REASON_HINT, kind="text-wide")
REQUIRED_REASON = Field("reason", "修正理由", required=True, hint=REASON_HINT, kind="text-wide")

PERSON = (
    Field("name", "氏名", required=True, hint="例: 試験 太郎", chars=True),
    Field("name_kana", "カナ", required=True, hint="カタカナまたはひらがな（例: シケン タロウ）"),
    Field("sex", "性別", required=True, kind="radio", codes="sex", blank="omit"),
    Field("birth_date", "生年月日", required=True, hint=BIRTH_DATE_HINT, kind="date"),
    Field("alias", "通称・旧姓", hint="例: 旧姓 山田", chars=True),
    Field("occupation", "職業区分", kind="select", codes="occupation", blank="empty"),
    Field("occupation_note", "職業（詳細）", hint="例: 飲食店の調理師、○○大学の学生"),
    Field("birth_country", "出生国", hint="例: 日本、ベトナム"),
    Field("nationality", "国籍", hint="例: 日本"),
)
CONTACT = (
    Field("postal_code", "郵便番号", hint="例: 154-0017", kind="postal"),
    Field("address", "住所", kind="text-wide", chars=True),
    Field("phone", "電話番号", hint="例: 03-1234-5678", kind="tel"),
)
GUARDIAN = (
    Field("guardian.name", "保護者の氏名", chars=True),
    Field("guardian.relation", "続柄", hint="例: 母"),
    Field("guardian.address", "保護者の住所", hint="本人と同じときは空欄で構いません", kind="text-wide", chars=True),
    Field("guardian.phone", "保護者の電話番号", kind="tel"),
)
# 医療機関 and 届出医師 come from the masters' pickers; free text stays allowed (older records named them so).
INSTITUTION_PICKER = Picker(
    "institution",
    code="notification.institution_code",
    fills=(("address", "notification.institution_address"), ("phone", "notification.institution_phone")),
)
PICKER_HINT = "名称・カナ・コードの一部を入力すると候補を表示します。候補にないときはそのまま入力します。"
NOTIFICATION = (
    Field("notification.notified_on", "届出日", hint=DATE_HINT, kind="date"),
    Field("notification.received_on", "受理日", hint=DATE_HINT, kind="date"),
    Field("notification.type", "届出の類型", kind="select", codes="notification_type"),
    Field("notification.institution_name", "医療機関", hint=PICKER_HINT, kind="text-wide", picker=INSTITUTION_PICKER),
    Field("notification.institution_code", "医療機関コード", kind="hidden"),
    Field("notification.institution_address", "医療機関の所在地", kind="text-wide"),
    Field("notification.institution_phone", "医療機関の電話番号", kind="tel"),
    Field(
        "notification.doctor_name",
        "届出医師",
        hint="医療機関を選んだときは、その医療機関の医師から候補を表示します。",
        picker=Picker("doctor", code="notification.doctor_code", narrowed_by="notification.institution_code"),
    ),
    Field("notification.doctor_code", "医師コード", kind="hidden"),
)
GAKKAI = (
    Field("disease.gakkai_side", "病側", kind="select", codes="gakkai_side"),
    Field("disease.gakkai_type", "病型", kind="select", codes="gakkai_type"),
    Field(
        "disease.gakkai_extent", "拡がり", kind="select", codes="gakkai_extent", hint="病型0・H・Pl・Opには付けません"
    ),
)
DISEASE = (
    Field("disease.form", "病類", kind="radio", codes="disease_form"),
    Field("disease.extrapulmonary_sites", "肺外結核の部位", kind="checkboxes", codes="extrapulmonary_site"),
    Field("disease.site_note", "部位（詳細）", hint="例: 頸部リンパ節"),
    *GAKKAI,
    Field("disease.imaging_note", "画像所見", kind="textarea"),
    Field("disease.symptoms", "症状", kind="checkboxes", codes="symptom"),
    Field("disease.onset_on", "発病日", hint=DATE_HINT, kind="date"),
    Field("disease.first_visit_on", "初診日", hint=DATE_HINT, kind="date"),
    Field("disease.diagnosed_on", "診断日", hint=DATE_HINT, kind="date"),
)
CLINICAL = (
    Field("clinical.prior_treatment", "治療歴", kind="radio", codes="prior_treatment"),
    Field("clinical.prior_treatment_note", "治療歴（詳細）", hint="例: 平成20年に2HREZ/4HRで治療", kind="text-wide"),
    Field("clinical.risk_factors", "合併症・リスク要因", kind="checkboxes", codes="risk_factor"),
    Field("clinical.comorbidity_note", "合併症（詳細）", kind="textarea"),
)
EXCLUSION = (
    Field("excluded_on", "除外日", required=True, hint=DATE_HINT, kind="date"),
    Field("reason", "除外理由", required=True, kind="select", codes="exclusion_reason"),
    Field("note", "備考", hint="修正履歴に残ります", kind="text-wide"),
)
REINSTATEMENT = (
    Field("reason", "取消の理由", required=True, hint="例: 誤って除外したため、再発のため", kind="text-wide"),
)

CUSTOM_KINDS = {"number": "number", "date": "date", "choice": "select", "multi_choice": "checkboxes", "yes_no": "radio"}
YES_NO = (("true", "はい"), ("false", "いいえ"))


@dataclass(frozen=True)
class CardSection:
    """A part of the card corrected on its own (PATCH /patients/{id} with just that section)."""

    key: str
    title: str
    fields: tuple[Field, ...]


SECTIONS = {
    "notification": CardSection("notification", "届出", tuple(f.bound("nt") for f in (*NOTIFICATION, REASON))),
    "disease": CardSection("disease", "病状", tuple(f.bound("ds") for f in (*DISEASE, REASON))),
    "clinical": CardSection("clinical", "治療歴・合併症", tuple(f.bound("cl") for f in (*CLINICAL, REASON))),
}


DISTRICT_TYPED_HINT = "地区の一覧を読み込めませんでした。地区名を入力してください（例: 世田谷）。"


NURSE_HINT = "住所・地区を入力すると、マスタ管理の担当保健師（地区・担当町丁目）から提案します。変更できます。"


def nurse_field(nurses: Mapping[str, str] | None) -> Field:
    """担当保健師: chosen by name among the nurses of masters' staff assignments (their user names are stored), or
    typed as before while masters names none."""
    if nurses:
        return Field(
            "nurse", "担当保健師", kind="select", choices=tuple(nurses.items()), blank="empty", hint=NURSE_HINT
        )
    return Field("nurse", "担当保健師")


def registration_items(districts: Sequence[str], nurses: Mapping[str, str] | None = None) -> tuple[Field, ...]:
    """登録年月日, 登録区分, 地区 and 担当保健師; the district is chosen from masters' list, or typed without it."""
    if districts:
        district = Field("district", "地区", kind="select", choices=tuple((d, d) for d in districts), blank="empty")
    else:
        district = Field("district", "地区", hint=DISTRICT_TYPED_HINT, blank="empty")
    return (
        Field(
            "registered_on",
            "登録年月日",
            hint=f"空欄のときは今日の日付になります。{DATE_HINT}",
            kind="date",
            blank="omit",
        ),
        Field("category", "登録区分", required=True, kind="select", codes="category", blank="omit"),
        district,
        nurse_field(nurses),
    )


def custom_fields(definitions: Sequence[Mapping[str, Any]], target: str, form_id: str = "") -> tuple[Field, ...]:
    """The configurable fields in use for a kind of record, as form fields named `custom.<key>`."""
    fields = []
    for d in definitions:
        if d.get("target") != target:
            continue
        kind = CUSTOM_KINDS.get(str(d.get("type")), "text")
        hint = "　".join(filter(None, [str(d.get("help_text") or ""), DATE_HINT if kind == "date" else ""]))
        choices = (
            YES_NO if d.get("type") == "yes_no" else tuple((c["value"], c["label"]) for c in d.get("choices") or [])
        )
        label, required = str(d.get("label", d["key"])), bool(d.get("required"))
        fields.append(Field(f"custom.{d['key']}", label, required, hint, kind=kind, choices=choices, blank="empty"))
    return tuple(f.bound(form_id) for f in fields)


# The contact (接触者) a registration opened from the contact page hands over: contacts links them on registration.
SOURCE_CONTACT = Field("source_contact_id", "引継ぎ元の接触者", kind="hidden", blank="omit")
HANDED_OVER = ("name", "name_kana", "sex", "birth_date", "address", "phone")  # the contact's identity carried over


def registration_fields(
    definitions: Sequence[Mapping[str, Any]], districts: Sequence[str], nurses: Mapping[str, str] | None = None
) -> tuple[Field, ...]:
    """Everything the registration form asks: the card's essentials and the configurable patient fields."""
    custom = custom_fields(definitions, "patient")
    registration = registration_items(districts, nurses)
    return (*PERSON, *CONTACT, *GUARDIAN, *registration, *NOTIFICATION, *DISEASE, *CLINICAL, *custom, SOURCE_CONTACT)


def handover_values(contact: Mapping[str, Any], fields: Sequence[Field]) -> dict[str, Any]:
    """The registration form filled from a contact who fell ill (発病: 仮登録) or is treated for LTBI: the identity as
    the contact record holds it, dates as the form shows them, and the contact's id to link them."""
    by_name = {f.name: f for f in fields}
    values: dict[str, Any] = {
        name: by_name[name].as_typed(contact.get(name)) for name in HANDED_OVER if contact.get(name)
    }
    category = "ltbi" if str(contact.get("outcome") or "").startswith("ltbi") else "provisional"
    return values | {"category": category, "source_contact_id": str(contact["id"])}


def basic_fields(definitions: Sequence[Mapping[str, Any]], districts: Sequence[str]) -> tuple[Field, ...]:
    """The correction form of the person, contact, registration and guardian items (and configurable fields)."""
    registration = registration_items(districts)
    return (*PERSON, *CONTACT, *registration, *GUARDIAN, *custom_fields(definitions, "patient"), REASON)


def at_registration_fields(codes: Mapping[str, Mapping[str, str]]) -> tuple[Field, ...]:
    """The 履歴修正 form of record #1: category, disease and clinical as at registration, and the bacteriology."""
    bacteriology = (
        Field("bacteriology.smear", "喀痰塗抹", kind="select", choices=BACTERIOLOGY_CHOICES["smear"], blank="empty"),
        Field("bacteriology.smear_gaffky", "ガフキー号数（旧記録）", hint="例: G5"),
        Field("bacteriology.culture", "培養", kind="select", choices=BACTERIOLOGY_CHOICES["culture"], blank="empty"),
        Field("bacteriology.naat", "核酸増幅法", kind="select", choices=BACTERIOLOGY_CHOICES["naat"], blank="empty"),
        Field(
            "bacteriology.identification",
            "同定",
            kind="select",
            choices=BACTERIOLOGY_CHOICES["identification"],
            blank="empty",
        ),
    )
    dst = tuple(
        Field(f"bacteriology.dst.{drug}", label, kind="select", choices=DST_CHOICES, blank="omit")
        for drug, label in every_code(codes, "drug").items()  # a correction: ended drugs the record may hold too
    )
    category = Field("category", "登録区分", required=True, kind="select", codes="category", blank="omit")
    fields = (category, *DISEASE, *CLINICAL, *bacteriology, *dst, REQUIRED_REASON)
    return tuple(f.bound("r1") for f in fields)
