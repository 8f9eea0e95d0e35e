"""F03 結核登録票: the registry card the 保健所 keeps for every registrant (感染症法53条の12, 施行規則27条の8)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from tbms_contracts.card_codes import DISEASE_FORMS, EXTRAPULMONARY_SITES, OCCUPATIONS
from tbms_core.dates import age_on

from reports.care_record.models import CareRecord
from reports.forms.common import (
    ADULT_AGE,
    CATEGORY_LABELS,
    JST,
    SEX_LABELS,
    Choice,
    choices,
    clip,
    iso_date,
    wareki,
    wareki_both,
)
from reports.forms.spec import FormInput, RequiredItem
from reports.lab_result.models import LabResult

BACTERIOLOGY_ROWS = 4
MEASURE_ROWS = 5
# 措置の概要: one ruled line per note, as on the paper card: the 内容 column holds about 43 kanji at 8pt
MEASURE_TEXT_WIDTH = 84
AUTHOR_WIDTH = 14
# the card's 菌検査 columns; 同定 belongs with the culture it was grown from; IGRA and ツ反 are not 菌検査
BACTERIOLOGY_COLUMNS = {
    "smear": "smear",
    "culture": "culture",
    "identification": "culture",
    "naat": "naat",
    "dst": "dst",
}
ON_CARE = {"yes": "有", "no": "無"}
# the card's items 施行規則27条の8 asks for; printing without them leaves a card the 保健所 must complete by hand
REQUIRED = (
    RequiredItem("registration_no", "登録番号"),
    RequiredItem("registered_on", "登録年月日"),
    RequiredItem("name", "氏名"),
    RequiredItem("name_kana", "フリガナ"),
    RequiredItem("sexes", "性別"),
    RequiredItem("birth_date", "生年月日"),
    RequiredItem("address", "住所"),
    RequiredItem("phone", "電話番号"),
    RequiredItem("occupation", "職業"),
    RequiredItem("notification.doctor", "届出医師", "notification-title"),
    RequiredItem("notification.notified_on", "届出年月日", "notification-title"),
    RequiredItem("notification.institution", "届出医療機関", "notification-title"),
    RequiredItem("disease_name", "病名", "disease-title"),
    RequiredItem("diagnosed_on", "診断日", "disease-title"),
)


@dataclass(frozen=True)
class BacteriologyRow:
    """One line of 菌検査: the results of one specimen collected on one day."""

    collected_on: str
    specimen: str
    smear: str = ""
    culture: str = ""
    naat: str = ""
    dst: str = ""
    mdr: bool = False


@dataclass(frozen=True)
class Measure:
    """One line of 措置の概要: a progress note, clipped to its printed line."""

    noted_on: str
    text: str
    author: str


T = TypeVar("T")


@dataclass(frozen=True)
class Rows(Generic[T]):
    """The newest rows a section has room for, and how many older ones it leaves out (printed as ほか N 件)."""

    shown: list[T]
    more: int


def build_context(data: FormInput) -> Mapping[str, object]:
    """The card's fields as printed."""
    patient = data.patient
    card: dict[str, Any] = patient.card or {}
    printed_on = data.printed_at.astimezone(JST).date()
    age = age_on(patient.birth_date, printed_on)
    return {
        "registration_no": patient.registration_no,
        "registered_on": wareki_both(patient.registered_on),
        "categories": choices(CATEGORY_LABELS, patient.category),
        "excluded_on": wareki_both(patient.excluded_on),
        "name": patient.name,
        "name_kana": patient.name_kana,
        "sexes": choices(SEX_LABELS, patient.sex),
        "birth_date": wareki_both(patient.birth_date),
        "age": age,
        "postal_code": patient.postal_code,
        "address": patient.address,
        "phone": patient.phone,
        "district": patient.district,
        "nurse": patient.nurse,
        "occupation": _label({**OCCUPATIONS, **data.code_labels.get("occupation", {})}, card.get("occupation")),
        "guardian": _guardian(card.get("guardian") or {}) if age < ADULT_AGE else None,
        "notification": _notification(card.get("notification") or {}),
        **_disease(card.get("disease") or {}),
        "classification_code": card.get("classification_code") or "",
        "classification": card.get("classification") or "",
        "bacteriology": _bacteriology(data.lab_results),
        **_treatment(data.care_records),
        "measures": _measures(data.care_records),
    }


def _label(labels: Mapping[str, str], code: object) -> str:
    """The Japanese label of a code; an unknown code is printed as it is rather than dropped."""
    return labels.get(str(code), str(code)) if code else ""


def _guardian(guardian: Mapping[str, Any]) -> dict[str, str] | None:
    """保護者 of a minor: name (relation) and phone, then the address; None when nothing is recorded."""
    name = guardian.get("name") or ""
    if guardian.get("relation"):
        name = f"{name}（{guardian['relation']}）"
    who = "　".join(part for part in (name, guardian.get("phone") or "") if part)
    address = guardian.get("address") or ""
    return {"who": who, "address": address} if who or address else None


def _notification(notification: Mapping[str, Any]) -> dict[str, str]:
    """届出: the notifying doctor and their facility (施行規則27条の8 第1項3号)."""
    return {
        "doctor": notification.get("doctor_name") or "",
        "notified_on": wareki_both(iso_date(notification.get("notified_on"))),
        "institution": notification.get("institution_name") or "",
        "phone": notification.get("institution_phone") or "",
        "address": notification.get("institution_address") or "",
    }


def _disease(disease: Mapping[str, Any]) -> dict[str, object]:
    """病名病型: disease form, sites, 学会分類 and the dates of onset, first visit and diagnosis.

    The 総合患者分類 comes as the patients service derived it when the patient was last saved.
    """
    form = disease.get("form") or ""
    sites = [_label(EXTRAPULMONARY_SITES, site) for site in disease.get("extrapulmonary_sites") or []]
    if disease.get("site_note"):
        sites.append(disease["site_note"])
    extent = disease.get("gakkai_extent")
    return {
        "disease_name": _label(DISEASE_FORMS, form),
        "pulmonary": Choice("肺", form in ("pulmonary", "both")),
        "extrapulmonary": Choice("肺外", form in ("extrapulmonary", "both") or bool(sites)),
        "sites": "、".join(sites),
        "gakkai_side": disease.get("gakkai_side") or "",
        "gakkai_type": disease.get("gakkai_type") or "",
        "gakkai_extent": str(extent) if extent else "",
        "diagnosed_on": wareki_both(iso_date(disease.get("diagnosed_on"))),
        "onset_on": wareki_both(iso_date(disease.get("onset_on"))),
        "first_visit_on": wareki_both(iso_date(disease.get("first_visit_on"))),
    }


def _bacteriology(results: Iterable[LabResult]) -> Rows[BacteriologyRow]:
    """菌検査: results grouped by collection day and specimen, newest first (DST arrives months later, same row)."""
    groups: dict[tuple[date | None, str], dict[str, list[str]]] = {}
    mdr: set[tuple[date | None, str]] = set()
    for result in sorted(results, key=lambda r: (r.result_on or date.min, str(r.id))):
        column = BACTERIOLOGY_COLUMNS.get(result.kind)
        if column is None:
            continue
        key = (result.collected_on, result.specimen)
        groups.setdefault(key, {}).setdefault(column, []).append(result.summary)
        if result.mdr:
            mdr.add(key)
    keys = sorted(groups, key=lambda k: (k[0] or date.min, k[1]), reverse=True)
    rows = [
        BacteriologyRow(
            collected_on=wareki(key[0]),
            specimen=key[1],
            **{column: "\n".join(texts) for column, texts in groups[key].items()},
            mdr=key in mdr,
        )
        for key in keys[:BACTERIOLOGY_ROWS]
    ]
    return Rows(rows, max(len(keys) - BACTERIOLOGY_ROWS, 0))


def _of_kind(records: Iterable[CareRecord], kind: str, by: str) -> list[CareRecord]:
    """The records of one kind, newest first by one of their dates."""
    chosen = [record for record in records if record.kind == kind]
    return sorted(chosen, key=lambda r: (iso_date(r.data.get(by)) or date.min, str(r.id)), reverse=True)


def _treatment(records: Sequence[CareRecord]) -> dict[str, object]:
    """治療: the current (else the latest) course, an open hospital stay, and whether the patient is under care."""
    courses = _of_kind(records, "treatment", "started_on")
    ongoing = [course for course in courses if not course.data.get("ended_on")]
    stays = [stay for stay in _of_kind(records, "hospitalisation", "admitted_on") if not stay.data.get("discharged_on")]
    course, stay = (ongoing or courses or [None])[0], (stays or [None])[0]
    under_care = bool(ongoing or stays)
    data = course.data if course else {}
    return {
        "treatment_started_on": wareki_both(iso_date(data.get("started_on"))),
        "treatment_ended_on": wareki_both(iso_date(data.get("ended_on"))),
        "treatment_planned_end_on": "" if data.get("ended_on") else wareki_both(iso_date(data.get("planned_end_on"))),
        "treatment_institution": data.get("institution") or (stay.data.get("hospital", "") if stay else ""),
        "regimen": _regimen(course) if course else "",
        "inpatient": Choice("入院（勧告）" if stay and stay.data.get("recommended") else "入院", stay is not None),
        "outpatient": Choice("通院", stay is None and bool(ongoing)),
        "under_care": choices(ON_CARE, "yes" if under_care else "no" if courses else ""),
    }


def _regimen(course: CareRecord) -> str:
    """処方 with its label, e.g. 2HREZ/4HR（標準治療A法）, and the note staff added."""
    regimen, note = course.data.get("regimen") or "", course.data.get("regimen_note") or ""
    label = "その他" if regimen == "other" else course.labels.get("regimen") or regimen
    return "　".join(part for part in (label, note) if part)


def _measures(records: Iterable[CareRecord]) -> Rows[Measure]:
    """措置の概要: the newest progress notes, each clipped to its line; older ones are counted, not dropped."""
    notes = _of_kind(records, "progress_note", "noted_on")
    shown = [
        Measure(
            noted_on=wareki(iso_date(note.data.get("noted_on"))),
            text=clip(_note_text(note), MEASURE_TEXT_WIDTH),
            author=clip(note.data.get("author_name") or "", AUTHOR_WIDTH),
        )
        for note in notes[:MEASURE_ROWS]
    ]
    return Rows(shown, max(len(notes) - MEASURE_ROWS, 0))


def _note_text(note: CareRecord) -> str:
    kind = note.labels.get("kind") or note.data.get("kind") or ""
    text = note.data.get("text") or ""
    return f"【{kind}】{text}" if kind else text
