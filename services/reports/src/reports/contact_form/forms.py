"""The contact screening forms printed from the contact read model: F18 勧告文, F19 受診票, F25 受付簿 and
F05 家族・接触者健診実施状況. The official layouts were not available; each stands in with the layout a health
center's letter or register commonly has (title, 様式 number, addressee block, 和暦 dates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tbms_core.clock import JST

from reports.circulation_stamp.stamps import Stamps
from reports.forms.common import iso_date, wareki, wareki_both
from reports.forms.letterhead import Letterhead
from reports.forms.spec import FormSpec, Genre, RequiredItem
from reports.request_letter.letters import EXAM_LABELS, INFECTIOUSNESS, RESULT_LABELS, SETTINGS, SEXES

# 感染症の予防及び感染症の患者に対する医療に関する法律 第17条第1項 (TB_PRACTICE §6: the 勧告 is given in writing to a
# person with a 「正当な理由」 to suspect the infection)
LAW_17 = "感染症の予防及び感染症の患者に対する医療に関する法律（平成10年法律第114号）第17条第1項"
# the article quoted on the 勧告書 (第1項: the 勧告; 第2項: the 健康診断 the health center may do when it is not
# followed), as the law reads (法17条; 保健所設置市・特別区 then the mayor for 都道府県知事, 法64条)
LAW_17_TEXT = (
    (
        "第十七条",
        "都道府県知事は、一類感染症、二類感染症、三類感染症又は新型インフルエンザ等感染症のまん延を防止するため必要が"
        "あると認めるときは、当該感染症にかかっていると疑うに足りる正当な理由のある者に対し当該感染症にかかっているか"
        "どうかに関する医師の健康診断を受け、又はその保護者（親権を行う者又は後見人をいう。以下同じ。）に対し当該感染症"
        "にかかっていると疑うに足りる正当な理由のある者に健康診断を受けさせるべきことを勧告することができる。",
    ),
    (
        "２",
        "都道府県知事は、前項の規定による勧告を受けた者が当該勧告に従わないときは、当該勧告に係る感染症にかかっている"
        "と疑うに足りる正当な理由のある者について、当該職員に健康診断を行わせることができる。",
    ),
)
OUTCOMES = {
    "no_disease": "異常なし（終了）",
    "observation": "要経過観察",
    "ltbi_treatment": "LTBI（治療）",
    "ltbi_observation": "LTBI（経過観察）",
    "disease": "発病",
    "pending": "判定保留",
    "not_examined": "未受診",
    "lost": "追跡不能",
}
PRIORITIES = {"top": "最優先", "high": "優先", "low": "低優先"}
ADULT_AGE = 18
DELIVERIES = {"hand": "手渡し", "mail": "郵送", "other": "その他"}


@dataclass(frozen=True)
class ContactFormInput:
    """What a contact form prints from: the contacts as the read model holds them, who signs, when, by whom."""

    sender: str
    printed_at: datetime
    printed_by: str
    contact: Mapping[str, Any] = field(default_factory=dict)  # F18, F19
    record_id: str | None = None  # the 勧告 (F18) or examination (F19) chosen; None: the latest
    contacts: Sequence[Mapping[str, Any]] = ()  # F05: the index patient's contacts; F25: those received
    index: Mapping[str, Any] = field(default_factory=dict)  # F05: the index patient
    day: date | None = None  # F25
    place: str = ""  # F25
    # this health center's name, 所長, address, phone and 問い合わせ先 as masters last sent them; None before masters
    # sent one: the forms then sign with the configured sender alone
    letterhead: Letterhead | None = None
    # the stamp boxes of the record's 回議 (F21, F23: the contact's; F05: the index patient's); 未決裁 by default
    stamps: Stamps = field(default_factory=Stamps)


def letterhead_of(data: ContactFormInput) -> dict[str, str]:
    """The letterhead every contact form prints: the health center, its head, address, phone and 問い合わせ先."""
    head = data.letterhead or Letterhead()
    return {
        "office": head.name,
        "title": head.title or data.sender,
        "director": head.director_name,
        "postal_code": head.postal_code,
        "address": head.address,
        "phone": head.phone,
        "contact": head.inquiry,
    }


def _time(value: object) -> str:
    return str(value)[:5] if value else ""


def person_of(c: Mapping[str, Any]) -> dict[str, object]:
    return {
        "name": c.get("name") or "",
        "kana": c.get("name_kana") or "",
        "sex": SEXES.get(c.get("sex") or "", ""),
        "birth": wareki_both(iso_date(c.get("birth_date"))),
        "address": c.get("address") or "",
    }


def chosen(items: Sequence[Mapping[str, Any]], record_id: str | None) -> Mapping[str, Any]:
    if record_id:
        return next((i for i in items if i.get("id") == record_id), {})
    return items[-1] if items else {}


def is_minor(birth: date | None, on: date | None) -> bool:
    """Under 18 (民法第4条) on the day: 法17条 then recommends to the 保護者 that they have the child examined."""
    if birth is None or on is None:
        return False
    return (on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))) < ADULT_AGE


def f18_context(data: ContactFormInput) -> Mapping[str, object]:
    """勧告文: the contact (a child's 保護者) is recommended, under 法17条, to be examined for TB by the deadline."""
    in_force = [r for r in data.contact.get("recommendations") or [] if r.get("status") != "cancelled"]
    r = chosen(in_force, data.record_id)  # a cancelled 勧告 (取消) is never printed: it is missing here
    exams = [EXAM_LABELS.get(k, k) for k in r.get("exams") or []]
    return {
        **person_of(data.contact),
        "guardian": is_minor(iso_date(data.contact.get("birth_date")), iso_date(r.get("issued_on"))),
        "sender": data.sender,
        "head": letterhead_of(data),
        "law": LAW_17,
        "law_text": LAW_17_TEXT,
        "issued": wareki(iso_date(r.get("issued_on"))),
        "exams": exams,
        "exam_list": "、".join(exams),
        "deadline": wareki_both(iso_date(r.get("deadline_on"))),
        "delivery": DELIVERIES.get(r.get("delivery") or "", ""),
        "delivery_note": r.get("delivery_note") or "",
        "recommendation": r.get("id") or "",
    }


def f19_context(data: ContactFormInput) -> Mapping[str, object]:
    """受診票: the slip the contact brings to the examination."""
    exams = data.contact.get("exams") or []
    booked = [x for x in exams if x.get("status") != "cancelled" and x.get("appointment_on")]
    x = chosen(booked if not data.record_id else exams, data.record_id)
    return {
        **person_of(data.contact),
        "sender": data.sender,
        "head": letterhead_of(data),
        "kind": EXAM_LABELS.get(x.get("kind") or "", ""),
        "appointment_on": wareki_both(iso_date(x.get("appointment_on"))),
        "appointment_time": _time(x.get("appointment_time")),
        "place": x.get("appointment_place") or "",
        "receipt_no": x.get("receipt_no") or "",
        "received_on": wareki(iso_date(x.get("received_on"))),
    }


def f25_context(data: ContactFormInput) -> Mapping[str, object]:
    """受付簿: one day's reception at one place, in receipt-number order."""
    rows = []
    for c in data.contacts:
        for x in c.get("exams") or []:
            if (
                x.get("received_on") == (data.day.isoformat() if data.day else "")
                and x.get("reception_place") == data.place
            ):
                at = datetime.fromisoformat(x["received_at"]).astimezone(JST) if x.get("received_at") else None
                rows.append(
                    {
                        "no": x.get("receipt_no") or 0,
                        "time": at.strftime("%H:%M") if at else "",
                        "name": c.get("name") or "",
                        "kana": c.get("name_kana") or "",
                        "birth": wareki(iso_date(c.get("birth_date"))) or "不明",
                        "kind": EXAM_LABELS.get(x.get("kind") or "", ""),
                        "appointment": _time(x.get("appointment_time")),
                        "by": x.get("received_by") or "",
                    }
                )
    rows.sort(key=lambda r: r["no"])  # type: ignore[arg-type, return-value]
    return {
        "sender": data.sender,
        "head": letterhead_of(data),
        "day": wareki_both(data.day),
        "place": data.place,
        "rows": rows,
    }


def f05_context(data: ContactFormInput) -> Mapping[str, object]:
    """家族・接触者健診実施状況: each contact of the index patient, the exposure, exams done and their results."""
    index_id = str(data.index.get("id") or "")
    people = []
    for c in sorted(data.contacts, key=lambda c: (c.get("found_on") or "", c.get("name_kana") or "")):
        exposure = next((e for e in c.get("exposures") or [] if e.get("index_patient_id") == index_id), {})
        done = [x for x in c.get("exams") or [] if x.get("status") == "done"]
        people.append(
            {
                "name": c.get("name") or "",
                "kana": c.get("name_kana") or "",
                "sex": SEXES.get(c.get("sex") or "", ""),
                "birth": wareki(iso_date(c.get("birth_date"))) or "不明",
                "setting": exposure.get("setting_label")
                or SETTINGS.get(exposure.get("setting") or "", exposure.get("setting") or ""),
                "relation": exposure.get("relation") or "",
                "last_contact": wareki(iso_date(exposure.get("last_contact_on"))) or "不明",
                "priority": PRIORITIES.get(c.get("priority") or "", ""),
                "exams": [
                    {
                        "kind": EXAM_LABELS.get(x.get("kind") or "", ""),
                        "done_on": wareki(iso_date(x.get("done_on"))),
                        "result": RESULT_LABELS.get(x.get("result") or "", "") or x.get("finding") or "結果待ち",
                        "value": x.get("value") or "",
                    }
                    for x in done
                ],
                "outcome": OUTCOMES.get(c.get("outcome") or "", "判定前"),
            }
        )
    exams = sum(len(p["exams"]) for p in people)  # type: ignore[arg-type, misc]
    return {
        "sender": data.sender,
        "head": letterhead_of(data),
        "dated": wareki(data.printed_at.astimezone(JST).date()),
        "index_name": data.index.get("name") or "",
        "index_kana": data.index.get("name_kana") or "",
        "registration_no": data.index.get("registration_no") or "",
        "infectiousness": _infectiousness(data.contacts, index_id),
        "people": people,
        "count": len(people),
        "exam_count": exams,
    }


def _infectiousness(contacts: Sequence[Mapping[str, Any]], index_id: str) -> str:
    values = {
        e.get("infectiousness") or "unknown"
        for c in contacts
        for e in c.get("exposures") or []
        if e.get("index_patient_id") == index_id
    }
    for value in ("high", "low", "none"):
        if value in values:
            return INFECTIOUSNESS[value]
    return INFECTIOUSNESS["unknown"]


F18 = FormSpec(
    "F18",
    "結核に係る健康診断の勧告書",
    Genre.CONTACT_SCREENING,
    "f18.html",
    f18_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("recommendation", "勧告（勧告日・検査・受診期限）", "recommendations"),
        RequiredItem("name", "氏名", "identity"),
        RequiredItem("address", "住所（あて先）", "identity"),
        RequiredItem("exam_list", "勧告する検査", "recommendations"),
        RequiredItem("deadline", "受診期限", "recommendations"),
    ),
)
F19 = FormSpec(
    "F19",
    "結核接触者健康診断 受診票",
    Genre.CONTACT_SCREENING,
    "f19.html",
    f19_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("name", "氏名", "identity"),
        RequiredItem("birth", "生年月日", "identity"),
        RequiredItem("kind", "検査（予約のある検査）", "exams"),
        RequiredItem("appointment_on", "予約日", "exams"),
        RequiredItem("appointment_time", "予約時刻", "exams"),
        RequiredItem("place", "受診場所", "exams"),
    ),
)
F25 = FormSpec(
    "F25",
    "結核接触者健康診断 受付簿",
    Genre.CONTACT_SCREENING,
    "f25.html",
    f25_context,  # type: ignore[arg-type]
    required=(RequiredItem("rows", "この日・この場所の受付", "screening"),),
)
F05 = FormSpec(
    "F05",
    "家族・接触者健診実施状況",
    Genre.PATIENTS,
    "f05.html",
    f05_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("index_name", "発端患者（患者情報）", "contacts"),
        RequiredItem("people", "接触者", "contacts"),
    ),
    stamp_boxes=True,
)


def exam_rows(c: Mapping[str, Any]) -> list[dict[str, object]]:
    return [
        {
            "kind": EXAM_LABELS.get(x.get("kind") or "", ""),
            "planned_on": wareki(iso_date(x.get("planned_on"))),
            "done_on": wareki(iso_date(x.get("done_on"))),
            "place": x.get("institution_name") or x.get("institution") or x.get("appointment_place") or "",
            "result": RESULT_LABELS.get(x.get("result") or "", ""),
            "value": x.get("value") or "",
            "tst": tst_of(x),
            "finding": x.get("finding") or "",
            "receipt_no": x.get("receipt_no") or "",
        }
        for x in c.get("exams") or []
        if x.get("status") != "cancelled"
    ]


def tst_of(x: Mapping[str, Any]) -> str:
    """ツ反's diameters as measured (発赤径・硬結径), empty for other exams."""
    if x.get("erythema_mm") is None and x.get("induration_mm") is None:
        return ""
    erythema, induration = x.get("erythema_mm"), x.get("induration_mm")
    # a diameter not measured reads 未測定 (a dash is outside the character set the forms print, N26)
    return (
        f"発赤{f'{erythema}mm' if erythema is not None else '未測定'}・"
        f"硬結{f'{induration}mm' if induration is not None else '未測定'}"
    )


def _exposures(c: Mapping[str, Any]) -> list[dict[str, object]]:
    return [
        {
            "setting": e.get("setting_label") or SETTINGS.get(e.get("setting") or "", e.get("setting") or ""),
            "relation": e.get("relation") or "",
            "period": f"{wareki(iso_date(e.get('first_contact_on'))) or '不明'} 〜 "
            f"{wareki(iso_date(e.get('last_contact_on'))) or '不明'}",
            "infectiousness": INFECTIOUSNESS.get(e.get("infectiousness") or "unknown", ""),
        }
        for e in c.get("exposures") or []
    ]


def f21_context(data: ContactFormInput) -> Mapping[str, object]:
    """健診結果報告書: the exams done with their results and the judgement, for the contact's record."""
    c = data.contact
    done = [x for x in exam_rows(c) if x["done_on"]]
    return {
        **person_of(c),
        "sender": data.sender,
        "head": letterhead_of(data),
        "dated": wareki(data.printed_at.astimezone(JST).date()),
        "exposures": _exposures(c),
        "exams": done,
        "outcome": OUTCOMES.get(c.get("outcome") or "", ""),
        "outcome_on": wareki(iso_date(c.get("outcome_on"))),
    }


def f23_context(data: ContactFormInput) -> Mapping[str, object]:
    """健診実施票: the sheet kept at the examination: the person, the exposure, symptoms, risk factors, each exam."""
    c = data.contact
    risks = {
        "infant": "乳幼児",
        "immunosuppressed": "免疫抑制",
        "diabetes": "糖尿病",
        "hiv": "HIV感染",
        "danger_group": "デインジャーグループの職業",
    }
    return {
        **person_of(c),
        "sender": data.sender,
        "head": letterhead_of(data),
        "phone": c.get("phone") or "",
        "affiliation": c.get("affiliation") or "",
        "symptomatic": "あり" if c.get("symptomatic") else "なし",
        "risks": "、".join(risks.get(r, r) for r in c.get("risk_factors") or []) or "なし",
        "priority": PRIORITIES.get(c.get("priority") or "", ""),
        "exposures": _exposures(c),
        "exams": exam_rows(c),
    }


F21 = FormSpec(
    "F21",
    "結核接触者健康診断 結果報告書",
    Genre.CONTACT_SCREENING,
    "f21.html",
    f21_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("name", "氏名", "identity"),
        RequiredItem("exams", "実施した検査（実施日・結果）", "exams"),
        RequiredItem("outcome", "健診の結果（判定）", "outcome"),
    ),
    stamp_boxes=True,
)
F23 = FormSpec(
    "F23",
    "結核接触者健康診断 実施票",
    Genre.CONTACT_SCREENING,
    "f23.html",
    f23_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("name", "氏名", "identity"),
        RequiredItem("birth", "生年月日", "identity"),
        RequiredItem("exposures", "接触状況", "exposures"),
        RequiredItem("exams", "検査", "exams"),
    ),
    stamp_boxes=True,
)
