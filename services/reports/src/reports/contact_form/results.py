"""The result forms of a contact's screening: F22 【保健所実施】結果文書 (the letter telling the contact the result of
the screening the health center did), F24 照射録 (the irradiation record of the chest X-rays the health center took)
and F26 結果報告書 (the report the medical institution that examined the contact returns to the health center).

The official layouts were not available; each stands in with a health center's common layout. Which exams were
done at the health center: those without a medical institution (no 医療機関コード, and no place typed or a place
naming this health center or a 保健所); the rest were done at the institution named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tbms_core.clock import JST
from tbms_core.dates import age_on

from reports.contact_form.forms import (
    OUTCOMES,
    ContactFormInput,
    chosen,
    exam_rows,
    is_minor,
    letterhead_of,
    person_of,
    tst_of,
)
from reports.forms.common import iso_date, wareki, wareki_both
from reports.forms.spec import FormSpec, Genre, RequiredItem
from reports.request_letter.letters import EXAM_LABELS, RESULT_LABELS, SEXES
from reports.settings import get_settings

# what the contact is told to do next, by the screening's outcome (F22)
ADVICE = {
    "no_disease": "今回の健康診断では、結核の感染・発病を疑う所見はありませんでした。健康診断はこれで終了です。",
    "observation": "現在、結核の発病を疑う所見はありませんが、経過を確認するため、"
    "引き続き下記の時期に検査を受けてください。",
    "ltbi_treatment": "結核に感染している可能性があります（潜在性結核感染症）。"
    "発病を防ぐため、医療機関で治療を受けることをお勧めします。受診する医療機関について、保健所からご連絡します。",
    "ltbi_observation": "結核に感染している可能性があります（潜在性結核感染症）。"
    "治療は行わず、定期的な検査で経過を確認します。下記の時期に検査を受けてください。",
    "disease": "結核の発病が疑われます。医療機関で精密検査と治療を受ける必要があります。保健所から詳しくご説明します。",
    "pending": "今回の検査の結果だけでは判定ができませんでした（判定保留）。再検査について、保健所からご連絡します。",
}
NEXT_LABELS = {"igra": "IGRA検査", "tst": "ツベルクリン反応検査", "xray": "胸部X線検査"}
# 診療放射線技師法第28条第1項（照射録の作成と指示をした医師の署名）and 同法施行規則第16条 (its items: the person's name,
# sex and age; the date; the method; the instructing doctor's name and the instruction)
RADIOLOGY_LAW = "診療放射線技師法第28条第1項、同法施行規則第16条"
JUDGEMENTS = (
    "異常なし",
    "要経過観察",
    "潜在性結核感染症（要治療）",
    "潜在性結核感染症（経過観察）",
    "結核発病の疑い（要精密検査）",
    "判定保留",
)


def at_center(exam: Mapping[str, Any], office: str) -> bool:
    """Whether the exam was done at this health center: no medical institution, or the place names the center."""
    if exam.get("institution_code"):
        return False
    place = exam.get("institution") or ""
    return not place or (bool(office) and office in place) or "保健所" in place


def _done_at_center(c: Mapping[str, Any], office: str) -> list[Mapping[str, Any]]:
    return [x for x in c.get("exams") or [] if x.get("status") == "done" and at_center(x, office)]


def _result(x: Mapping[str, Any]) -> dict[str, object]:
    return {
        "kind": EXAM_LABELS.get(x.get("kind") or "", ""),
        "done_on": wareki(iso_date(x.get("done_on"))),
        "result": RESULT_LABELS.get(x.get("result") or "", ""),
        "detail": " ".join(filter(None, (x.get("value") or "", tst_of(x), x.get("finding") or ""))),
    }


def f22_context(data: ContactFormInput) -> Mapping[str, object]:
    """【保健所実施】結果文書: the contact (a child's 保護者) is told the results of the exams the health center
    did, the judgement, what to do next and when the next exam is due."""
    c = data.contact
    head = letterhead_of(data)
    printed_on = data.printed_at.astimezone(JST).date()
    done = [_result(x) for x in _done_at_center(c, head["office"])]
    outcome = c.get("outcome") or ""
    upcoming = [
        {"what": NEXT_LABELS.get(d.get("what") or "", d.get("what") or ""), "due_on": wareki(iso_date(d.get("due_on")))}
        for d in c.get("deadlines") or []
        if iso_date(d.get("due_on")) and iso_date(d.get("due_on")) >= printed_on  # type: ignore[operator]
    ]
    advice = ADVICE.get(outcome, "")
    return {
        **person_of(c),
        "sender": data.sender,
        "head": head,
        "guardian": is_minor(iso_date(c.get("birth_date")), printed_on),
        "dated": wareki(printed_on),
        "exams": done,
        "outcome": OUTCOMES.get(outcome, "") if outcome in ADVICE else "",
        "advice": advice if upcoming else advice.replace("下記の時期に", "保健所がお知らせする時期に"),
        "upcoming": upcoming[:3],
    }


def _number(value: object) -> str:
    """A measured value as typed (120, 3.2, 0.01), without a trailing .0."""
    return f"{value:g}" if isinstance(value, int | float) else ""


def mas_of(conditions: Mapping[str, Any]) -> str:
    """管電流時間積: as entered, else 管電流 × 照射時間 when both were entered."""
    if isinstance(conditions.get("mas"), int | float):
        return _number(conditions["mas"])
    ma, time_s = conditions.get("ma"), conditions.get("time_s")
    return f"{ma * time_s:g}" if isinstance(ma, int | float) and isinstance(time_s, int | float) else ""


def xray_missing(conditions: Mapping[str, Any]) -> list[str]:
    """The irradiation conditions 施行規則第16条 needs that an X-ray lacks: the tube voltage and current-time
    (照射の方法), who took it and the instructing doctor."""
    wanted = {
        "管電圧": _number(conditions.get("kv")),
        "管電流時間積（または管電流と照射時間）": mas_of(conditions),
        "撮影者": conditions.get("radiographer") or "",
        "指示をした医師": conditions.get("physician") or "",
    }
    return [label for label, value in wanted.items() if not value]


def xray_row(c: Mapping[str, Any], x: Mapping[str, Any]) -> dict[str, object]:
    """One chest X-ray as the 照射録 prints it: the day, the person's age then, the method (projection, number of
    exposures, device), the conditions (kV, mA, s, mAs, distance), who took it, the instructing doctor and the
    instruction (the health center's defaults where the exam names none)."""
    settings = get_settings()
    conditions: Mapping[str, Any] = x.get("irradiation") or {}
    birth, day = iso_date(c.get("birth_date")), iso_date(x.get("done_on"))
    exposures = conditions.get("exposures")
    method = conditions.get("projection_label") and f"胸部X線撮影 {conditions['projection_label']}"
    setting = [
        (label, _number(conditions.get(key)), unit)
        for key, label, unit in (("kv", "管電圧", "kV"), ("ma", "管電流", "mA"), ("time_s", "照射時間", "秒"))
    ] + [("管電流時間積", mas_of(conditions), "mAs"), ("撮影距離", _number(conditions.get("distance_cm")), "cm")]
    return {
        "done_on": wareki(day),
        "age": f"{age_on(birth, day)}歳" if birth and day else "",
        "receipt_no": x.get("receipt_no") or "",
        "method": method or settings.xray_method,
        "exposures": f"{exposures}回" if exposures else "",
        "device": conditions.get("device") or "",
        "conditions": [f"{label} {value} {unit}" for label, value, unit in setting if value],
        "radiographer": conditions.get("radiographer") or "",
        "physician": conditions.get("physician") or "",
        "instruction": conditions.get("instruction") or settings.xray_instruction,
        "finding": x.get("finding") or RESULT_LABELS.get(x.get("result") or "", ""),
        "missing": xray_missing(conditions),
    }


def center_xrays(c: Mapping[str, Any], office: str) -> list[Mapping[str, Any]]:
    """The chest X-rays the health center took of the contact, by day."""
    xrays = [x for x in _done_at_center(c, office) if x.get("kind") == "xray" and iso_date(x.get("done_on"))]
    return sorted(xrays, key=lambda x: x.get("done_on") or "")


def incomplete(rows: Sequence[Mapping[str, object]], who: str = "") -> str:
    """Empty when every X-ray has its conditions, else which lack what (for the missing-data check)."""
    lacking = [
        f"{row.get(who) or ''}{row['done_on']}：{'・'.join(row['missing'])}"  # type: ignore[arg-type]
        for row in rows
        if row["missing"]
    ]
    return "、".join(lacking)


def f24_context(data: ContactFormInput) -> Mapping[str, object]:
    """照射録: each chest X-ray the health center took of the contact (the chosen one, else all), with the items
    施行規則第16条 names (the person's name, sex and age; the day; the method and its conditions; the instructing
    doctor and the instruction); the instructing doctor signs by hand (法第28条第1項)."""
    c = data.contact
    head = letterhead_of(data)
    xrays = center_xrays(c, head["office"])
    if data.record_id:
        xrays = [x for x in xrays if x.get("id") == data.record_id]
    rows = [xray_row(c, x) for x in xrays]
    return {
        **person_of(c),
        "sender": data.sender,
        "head": head,
        "sex": SEXES.get(c.get("sex") or "", ""),
        "law": RADIOLOGY_LAW,
        "rows": rows,
        "incomplete": incomplete(rows),
        "complete": "" if incomplete(rows) else "yes",
    }


def f24_day_context(data: ContactFormInput) -> Mapping[str, object]:
    """照射録 of a screening day: every chest X-ray the health center took on the day (at the place, when one is
    named), one line a person in receipt-number order, with the same items as the contact's 照射録."""
    head = letterhead_of(data)
    day = data.day.isoformat() if data.day else ""
    found = []
    for c in data.contacts:
        for x in center_xrays(c, head["office"]):
            places = {x.get("reception_place"), x.get("appointment_place"), x.get("institution")}
            if x.get("done_on") == day and (not data.place or data.place in places):
                found.append((x.get("receipt_no") or 10**6, c.get("name_kana") or "", c, x))
    rows = [
        xray_row(c, x)
        | {
            "contact": str(c.get("id") or ""),
            "name": c.get("name") or "",
            "kana": c.get("name_kana") or "",
            "sex": SEXES.get(c.get("sex") or "", ""),
            "birth": wareki(iso_date(c.get("birth_date"))),
        }
        for *_, c, x in sorted(found, key=lambda f: (f[0], f[1]))
    ]
    lacking = "、".join(
        f"{row['name']}：{'・'.join(row['missing'])}"  # type: ignore[arg-type]
        for row in rows
        if row["missing"]
    )
    return {
        "sender": data.sender,
        "head": head,
        "day": wareki_both(data.day),
        "place": data.place,
        "law": RADIOLOGY_LAW,
        "rows": rows,
        "incomplete": lacking,
        "complete": "" if lacking else "yes",
    }


def _institution(c: Mapping[str, Any], record_id: str | None, office: str) -> Mapping[str, Any]:
    """The exam that names the institution the report comes from: the chosen one, else the latest at an institution."""
    elsewhere = [x for x in c.get("exams") or [] if x.get("status") != "cancelled" and not at_center(x, office)]
    return chosen(elsewhere, record_id)


def f26_context(data: ContactFormInput) -> Mapping[str, object]:
    """結果報告書: the form the medical institution that examined the contact fills in and returns to the health
    center; printed with the person and the exams asked for (with any result already recorded), the rest left for
    the institution to write."""
    c = data.contact
    head = letterhead_of(data)
    exam = _institution(c, data.record_id, head["office"])
    name = exam.get("institution_name") or exam.get("institution") or ""
    code = exam.get("institution_code") or ""
    at_institution = [
        x
        for x in exam_rows({"exams": [x for x in c.get("exams") or [] if not at_center(x, head["office"])]})
        if x["place"] == name
    ]
    recommendation = chosen(c.get("recommendations") or [], None)
    asked = [EXAM_LABELS.get(k, k) for k in recommendation.get("exams") or []]
    return {
        **person_of(c),
        "sender": data.sender,
        "head": head,
        "institution": name,
        "institution_code": code,
        "exams": at_institution,
        "asked": "、".join(asked) or "、".join(dict.fromkeys(str(x["kind"]) for x in at_institution)),
        "recommended_on": wareki(iso_date(recommendation.get("issued_on"))),
        "judgements": JUDGEMENTS,
    }


F22 = FormSpec(
    "F22",
    "結核接触者健康診断の結果について（保健所実施）",
    Genre.CONTACT_SCREENING,
    "f22.html",
    f22_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("name", "氏名", "identity"),
        RequiredItem("address", "住所（あて先）", "identity"),
        RequiredItem("exams", "保健所で実施した検査の結果（実施日・結果）", "exams"),
        RequiredItem("outcome", "健診の結果（判定）", "outcome"),
    ),
)
F24 = FormSpec(
    "F24",
    "照射録（結核接触者健康診断 胸部X線）",
    Genre.CONTACT_SCREENING,
    "f24.html",
    f24_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("name", "氏名", "identity"),
        RequiredItem("sex", "性別", "identity"),
        RequiredItem("birth", "生年月日（年齢）", "identity"),
        RequiredItem("rows", "保健所で撮影した胸部X線検査（実施日）", "exams"),
        RequiredItem("complete", "照射条件（管電圧・管電流時間積・撮影者・指示をした医師）", "exams"),
    ),
)
# the same form for a screening day (GET /screening-days/F24): filed with that day, as F25 is
F24_DAY = FormSpec(
    "F24",
    "照射録（結核接触者健康診断 胸部X線・健診日）",
    Genre.CONTACT_SCREENING,
    "f24_day.html",
    f24_day_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("rows", "この日に保健所で撮影した胸部X線検査", "screening"),
        RequiredItem("complete", "照射条件（管電圧・管電流時間積・撮影者・指示をした医師）", "exams"),
    ),
)
F26 = FormSpec(
    "F26",
    "結核接触者健康診断 結果報告書（医療機関実施）",
    Genre.CONTACT_SCREENING,
    "f26.html",
    f26_context,  # type: ignore[arg-type]
    required=(
        RequiredItem("name", "氏名", "identity"),
        RequiredItem("birth", "生年月日", "identity"),
        RequiredItem("institution", "受診する医療機関（検査の実施場所）", "exams"),
        RequiredItem("asked", "依頼する検査", "recommendations"),
    ),
)
RESULT_FORMS: Sequence[FormSpec] = (F22, F24, F26)
