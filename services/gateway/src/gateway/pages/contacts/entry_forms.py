"""The fields of the contact forms: registration, identity, exposure, priority, outcome, end, and the exams.

Names are the contacts API's own (docs/contacts-api.md), so its messages land beside the right input; the one
exposure of a registration is `exposure.<field>` and is sent as `exposures[0]`. Choices are the API's fixed
values with the labels it documents, except 接触の場, 検査の種類 and 終了の理由, which come from masters' コード表 as
contacts keeps it (GET /reference/codes, `codes=`), and 続柄・関係, whose list is offered beside free text. The
built-in tuples below are the labels shown while contacts answers no list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from gateway.forms import BIRTH_DATE_HINT, DATE_HINT, EntryForm, Field, Picker

SEX = (("male", "男性"), ("female", "女性"))
RESIDENCE = (("here", "管内"), ("elsewhere", "他自治体"))
SETTINGS = (
    ("household", "同居家族"),
    ("family", "別居家族"),
    ("workplace", "職場"),
    ("school", "学校"),
    ("medical", "医療機関"),
    ("facility", "施設"),
    ("aircraft", "航空機"),
    ("other", "その他"),
)
RISK_FACTORS = (
    ("infant", "乳幼児"),
    ("immunosuppressed", "免疫抑制"),
    ("diabetes", "糖尿病"),
    ("hiv", "HIV感染"),
    ("danger_group", "デインジャーグループの職業（教員・医療従事者など）"),
)
INFECTIOUSNESS = (("unknown", "未評価"), ("high", "高感染性"), ("low", "低感染性"), ("none", "感染性なし"))
PRIORITIES = (("top", "最優先"), ("high", "優先"), ("low", "低優先"))
OUTCOMES = (
    ("no_disease", "異常なし（終了）"),
    ("observation", "要経過観察"),
    ("ltbi_treatment", "LTBI（治療）"),
    ("ltbi_observation", "LTBI（経過観察）"),
    ("disease", "発病"),
    ("pending", "判定保留"),
    ("not_examined", "未受診"),
    ("lost", "追跡不能"),
)
END_REASONS = (
    ("completed", "健診終了"),
    ("excluded", "対象外（接触なしと判明など）"),
    ("transferred", "他自治体へ移管"),
    ("lost", "追跡不能"),
    ("other", "その他"),
)
EXAM_KINDS = (
    ("igra_qft", "IGRA（QFT）"),
    ("igra_tspot", "IGRA（T-SPOT）"),
    ("tst", "ツベルクリン反応"),
    ("xray", "胸部X線"),
    ("sputum", "喀痰検査"),
)
IGRA_RESULTS = (("positive", "陽性"), ("negative", "陰性"), ("borderline", "判定保留"), ("invalid", "判定不可"))
RESULTS: dict[str, tuple[tuple[str, str], ...]] = {
    "igra_qft": IGRA_RESULTS,
    "igra_tspot": IGRA_RESULTS,
    "tst": (("positive", "陽性"), ("negative", "陰性"), ("borderline", "判定保留")),
    "xray": (
        ("normal", "異常なし"),
        ("follow_up", "要経過観察"),
        ("suspected", "結核疑い（要精密検査）"),
        ("other", "その他の所見"),
    ),
    "sputum": (("negative", "陰性"), ("positive", "陽性"), ("pending", "結果待ち")),
}
# A new exam's result before its kind is known: every value once, saying which kinds it belongs to.
ANY_RESULT = (
    ("positive", "陽性（IGRA・ツ反・喀痰）"),
    ("negative", "陰性（IGRA・ツ反・喀痰）"),
    ("borderline", "判定保留（IGRA・ツ反）"),
    ("invalid", "判定不可（IGRA）"),
    ("normal", "異常なし（X線）"),
    ("follow_up", "要経過観察（X線）"),
    ("suspected", "結核疑い・要精密検査（X線）"),
    ("other", "その他の所見（X線）"),
    ("pending", "結果待ち（喀痰）"),
)
# The plan names the infection test igra / tst / xray; the exam entered for it is of one of these kinds.
PLAN_KIND_TO_EXAM = {"igra": "igra_qft", "tst": "tst", "xray": "xray"}

RELATION_HINT = "候補から選ぶか、そのまま入力します（例: 妻、同僚、同級生）"
FREE_RESULT_HINT = "規則の設定のない検査の種類です。結果を文字で入力します（20字以内）。"
EXAM_KIND = re.compile(r"[A-Za-z0-9_]{1,20}")  # the shape of a 検査の種類 code of the コード表

REASON_HINT = "例: 本人の申し出により訂正（修正履歴に残ります）"
NURSE_HINT = (
    "登録のとき空欄なら、住所からマスタ管理の担当割当で決まる保健師になります。"
    "未選択のときは発端患者の担当保健師が担当します。"
)
REASON = Field("reason", "修正理由", hint=REASON_HINT, kind="text-wide")
PICKER_HINT = "名称・カナ・コードの一部を入力すると候補を表示します。候補にないときはそのまま入力します。"

PERSON = (
    Field("name", "氏名", required=True, hint="例: 試験 花子", chars=True),
    Field("name_kana", "カナ", hint="カタカナまたはひらがな（例: シケン ハナコ）"),
    Field("sex", "性別", kind="select", choices=SEX, blank="empty"),
    Field("birth_date", "生年月日", hint=BIRTH_DATE_HINT, kind="date"),
    Field("address", "住所", kind="text-wide", chars=True),
    Field("phone", "電話番号", hint="例: 03-1234-5678", kind="tel"),
    Field("affiliation", "学校・勤務先", hint="例: ○○小学校 3年2組、○○株式会社"),
    Field("residence", "住所地", kind="radio", choices=RESIDENCE, blank="omit"),
    Field(
        "municipality",
        "住所地の市区町村（他自治体のとき）",
        hint=PICKER_HINT,
        picker=Picker("municipality", code="municipality_code"),
    ),
    Field("municipality_code", "全国地方公共団体コード", kind="hidden"),
    Field("risk_factors", "発病・重症化のリスク", kind="checkboxes", choices=RISK_FACTORS),
    Field("nurse", "担当保健師", kind="select", codes="nurse", blank="empty", hint=NURSE_HINT),
    Field("symptomatic", "症状がある（胸部X線を直ちに行います）", kind="checkbox"),
    Field("note", "備考", kind="textarea"),
)
EXPOSURE = (
    Field("setting", "接触の場", required=True, kind="select", codes="contact_setting"),
    Field(
        "relation",
        "続柄・関係",
        hint="候補から選ぶか、そのまま入力します（例: 妻、同僚、同級生）",
        codes="contact_relation",
    ),
    Field("first_contact_on", "初回接触日", hint=DATE_HINT, kind="date"),
    Field("last_contact_on", "最終接触日", hint=f"健診の予定日はこの日から計算します。{DATE_HINT}", kind="date"),
    Field("hours", "接触時間の合計（時間）", hint="例: 40", kind="number"),
    Field("frequency", "接触の頻度", hint="例: 毎日、週2回"),
    Field("closed_room", "閉鎖空間での接触", kind="checkbox"),
    Field("poor_ventilation", "換気が悪い", kind="checkbox"),
    Field(
        "infectiousness",
        "発端患者の感染性",
        kind="select",
        choices=INFECTIOUSNESS,
        hint="未評価のときは高感染性として優先度を判定します。",
    ),
    Field("note", "備考（接触状況）", kind="textarea"),
)
FOUND_ON = Field("found_on", "接触者として把握した日", hint=f"空欄のときは今日。{DATE_HINT}", kind="date")
PRIORITY = (
    Field(
        "priority_override",
        "優先度",
        kind="select",
        choices=(("", "提案どおり（変更しない）"), *PRIORITIES),
        blank="empty",
    ),
    Field("priority_reason", "提案と変える理由", hint="優先度を変えるときは必須です。", kind="text-wide"),
)
OUTCOME = (
    Field("outcome", "健診の結果（判定）", required=True, kind="select", choices=OUTCOMES),
    Field("outcome_on", "判定日", hint=f"空欄のときは今日。{DATE_HINT}", kind="date"),
    REASON,
)
END = (
    Field("ended_on", "終了日", required=True, hint=DATE_HINT, kind="date"),
    Field("reason", "終了の理由", required=True, kind="select", codes="contact_end_reason"),
    Field("note", "備考", kind="text-wide"),
)
INSTITUTION = Field(
    "institution",
    "実施場所",
    hint=f"保健所または医療機関。{PICKER_HINT}",
    picker=Picker("institution", code="institution_code"),
)
EXAM_COMMON = (
    Field("planned_on", "予定日", hint=DATE_HINT, kind="date"),
    Field("done_on", "実施日", hint=f"結果を入力するときは必須です。{DATE_HINT}", kind="date"),
    INSTITUTION,
    Field("institution_code", "医療機関コード", kind="hidden"),
)
EXAM_DETAILS = {
    "value": Field("value", "IGRAの測定値", hint="例: 0.35（QFT: IU/mL）、8（T-SPOT: スポット数）"),
    "induration_mm": Field("induration_mm", "ツ反 硬結径（mm）", kind="number"),
    "erythema_mm": Field("erythema_mm", "ツ反 発赤径（mm）", kind="number"),
    "finding": Field("finding", "所見・学会分類", hint="例: 異常なし、bII2", kind="text-wide"),
}
# 照射録 (F24): the irradiation conditions of a chest X-ray taken at the health center (診療放射線技師法第28条,
# 同法施行規則第16条); contacts keeps them with the exam as `irradiation`
PROJECTIONS = (
    ("pa", "正面（PA・立位）"),
    ("ap", "正面（AP）"),
    ("lateral", "側面"),
    ("pa_lateral", "正面（PA）・側面の2方向"),
)
IRRADIATION = (
    Field("irradiation.projection", "撮影方向", kind="select", choices=PROJECTIONS, blank="empty"),
    Field("irradiation.exposures", "撮影回数", kind="number"),
    Field("irradiation.kv", "管電圧（kV）", hint="例: 120", kind="number"),
    Field("irradiation.ma", "管電流（mA）", hint="例: 320", kind="number"),
    Field("irradiation.time_s", "照射時間（秒）", hint="例: 0.01", kind="number"),
    Field("irradiation.mas", "管電流時間積（mAs）", hint="空欄なら管電流×照射時間を印刷します。", kind="number"),
    Field("irradiation.distance_cm", "撮影距離（cm）", hint="例: 180", kind="number"),
    Field("irradiation.device", "装置"),
    Field("irradiation.radiographer", "撮影者（診療放射線技師）"),
    Field("irradiation.physician", "指示をした医師"),
    Field(
        "irradiation.instruction", "指示の内容", hint="空欄のときは保健所の既定の文言を印刷します。", kind="text-wide"
    ),
)
EXAM_DETAILS |= {f.name: f for f in IRRADIATION}
DETAILS_OF = {
    "igra_qft": ("value",),
    "igra_tspot": ("value",),
    "tst": ("induration_mm", "erythema_mm"),
    "xray": ("finding", *(f.name for f in IRRADIATION)),
    "sputum": (),
}
EXAM_NOTE = Field("note", "備考", kind="text-wide")


def bound(fields: tuple[Field, ...], form_id: str) -> tuple[Field, ...]:
    """The fields in a form with this id (ids stay unique with several forms on one page)."""
    return tuple(f.bound(form_id) for f in fields)


def registration_fields() -> tuple[Field, ...]:
    """The registration form: the person, the day they were found and their exposure to this index patient."""
    exposure = tuple(replace(f, name=f"exposure.{f.name}") for f in EXPOSURE)
    return bound((*PERSON, FOUND_ON, *exposure), "new")


def identity_fields() -> tuple[Field, ...]:
    """The correction of the contact's identity and risk factors."""
    return bound((*PERSON, REASON), "person")


def exposure_fields(exposure_id: str) -> tuple[Field, ...]:
    """The correction of one exposure (its index patient stays)."""
    return bound((*EXPOSURE, REASON), f"exp-{exposure_id}")


def priority_fields() -> tuple[Field, ...]:
    """The override of the suggested priority, with its reason."""
    return bound(PRIORITY, "priority")


def outcome_fields() -> tuple[Field, ...]:
    """The outcome of the screening."""
    return bound(OUTCOME, "outcome")


def end_fields() -> tuple[Field, ...]:
    """The end of the follow-up (終了・対象外)."""
    return bound(END, "end")


def new_exam_fields() -> tuple[Field, ...]:
    """A new exam of any kind: planned (予定日) or done with its result."""
    kind = Field("kind", "検査の種類", required=True, kind="select", codes="screening_exam")
    result = Field("result", "結果", kind="select", choices=ANY_RESULT, blank="empty")
    return bound((kind, *EXAM_COMMON, result, *EXAM_DETAILS.values(), EXAM_NOTE), "exam-new")


def exam_fields(kind: str, exam_id: str) -> tuple[Field, ...]:
    """The correction of one exam (its kind stays): its dates, place, result and the kind's own items."""
    if kind in RESULTS:
        result = Field("result", "結果", kind="select", choices=RESULTS[kind], blank="empty")
    else:  # a kind added in マスタ管理 without a rule: its result is typed
        result = Field("result", "結果", hint=FREE_RESULT_HINT)
    details = tuple(EXAM_DETAILS[name] for name in DETAILS_OF.get(kind, ()))
    return bound((*EXAM_COMMON, result, *details, EXAM_NOTE, REASON), f"exam-{exam_id}")


def cancel_fields(exam_id: str) -> tuple[Field, ...]:
    """The cancellation of one exam, always with its reason."""
    reason = Field("reason", "取消の理由", required=True, hint="例: 重複して登録した", kind="text-wide")
    return bound((reason,), f"cancel-{exam_id}")


def registration_body(form: EntryForm, index_patient_id: str) -> dict[str, Any]:
    """ContactCreate: the person's items and one exposure to this index patient."""
    typed = form.json()
    exposure = typed.pop("exposure", {})
    if typed.get("found_on") is None:
        typed.pop("found_on", None)
    return {**typed, "exposures": [{"index_patient_id": index_patient_id, **exposure}]}


def registration_aliases() -> dict[str, str]:
    """API keys → field names: `exposures.0.setting` is `exposure.setting`; a message about the exposure as a
    whole (its dates out of order) goes beside the first contact date."""
    aliases = {f"exposures.0.{f.name}": f"exposure.{f.name}" for f in EXPOSURE}
    return aliases | {"exposures.0": "exposure.first_contact_on", "exposures": "exposure.setting"}


EXPOSURE_ALIASES = {"changes": "first_contact_on"}  # the dates out of order, said of the whole change


def elsewhere_without_municipality(form: EntryForm) -> bool:
    """Refuses in the gateway a contact living elsewhere without the municipality, beside that field (the API
    says so of the whole contact); True when it was refused."""
    if form.value("residence") == "elsewhere" and not form.value("municipality").strip():
        form.errors["municipality"] = "他自治体に住む接触者は市区町村名を入力してください。"
        return True
    return False


def exam_body(form: EntryForm, kind: str) -> dict[str, Any]:
    """An exam's JSON: the common items and those of its kind (the others are not sent)."""
    typed = form.json(skip=("reason", "kind", *(f.name for f in IRRADIATION if kind != "xray")))
    own = set(DETAILS_OF.get(kind, ()))
    body = {name: value for name, value in typed.items() if name not in EXAM_DETAILS or name in own}
    if "irradiation" in body and not any(v not in (None, "") for v in body["irradiation"].values()):
        body["irradiation"] = None  # nothing entered: no conditions (clears those entered before)
    return body


def filled_exam(exam: Mapping[str, Any]) -> EntryForm:
    """An exam's correction form showing what is stored (an X-ray's conditions as typed: 120, not 120.0)."""
    conditions = {
        name: f"{value:g}" if isinstance(value, float) else value
        for name, value in (exam.get("irradiation") or {}).items()
    }
    shown = dict(exam) | {"irradiation": conditions}
    return EntryForm.filled(exam_fields(str(exam.get("kind")), str(exam["id"])), shown, exam.get("version"))


DELIVERIES = (("hand", "手渡し"), ("mail", "郵送"), ("other", "その他"))
TIME_HINT = "24時間制（例: 10:30）"


RECOMMENDATION = (
    Field("issued_on", "勧告日", required=True, hint=DATE_HINT, kind="date"),
    Field("delivery", "交付方法", required=True, kind="radio", choices=DELIVERIES, blank="omit"),
    Field("delivery_note", "交付方法（その他のとき）", hint="例: 学校を通じて配付"),
    Field("exams", "勧告する検査", kind="checkboxes", codes="screening_exam"),
    Field("deadline_on", "受診期限", required=True, hint=DATE_HINT, kind="date"),
    Field("note", "備考", kind="text-wide"),
)


def recommendation_fields() -> tuple[Field, ...]:
    """A 17条 勧告 issued: the day, how it was delivered, the exams recommended and the deadline."""
    return bound(RECOMMENDATION, "rec-new")


def recommendation_change_fields(recommendation_id: str) -> tuple[Field, ...]:
    """The correction of one 勧告, with its reason."""
    return bound((*RECOMMENDATION, REASON), f"rec-{recommendation_id}")


def recommendation_cancel_fields(recommendation_id: str) -> tuple[Field, ...]:
    """The 取消 of one 勧告: the day (today when left empty) and, always, the reason."""
    return bound(
        (
            Field("cancelled_on", "取消日", hint=f"空欄なら今日。{DATE_HINT}", kind="date"),
            Field("reason", "取消の理由", required=True, hint="例: 接触者ではないと判明した", kind="text-wide"),
        ),
        f"rec-cancel-{recommendation_id}",
    )


def appointment_fields(exam_id: str) -> tuple[Field, ...]:
    """An exam's appointment (予約): day, time and place (保健所 or an institution, from masters or typed)."""
    place = Field(
        "appointment_place",
        "受診場所",
        required=True,
        hint=f"保健所または医療機関。{PICKER_HINT}",
        picker=Picker("institution", code="appointment_place_code"),
    )
    return bound(
        (
            Field("appointment_on", "予約日", required=True, hint=DATE_HINT, kind="date"),
            Field("appointment_time", "予約時刻", required=True, hint=TIME_HINT),
            place,
            Field("appointment_place_code", "医療機関コード", kind="hidden"),
            REASON,
        ),
        f"appt-{exam_id}",
    )


def reception_fields(exam_id: str) -> tuple[Field, ...]:
    """The reception (受付) of an exam: the receipt number, the day's next one when left empty."""
    number = Field("receipt_no", "受付番号", hint="空欄のときは、その日・その会場の次の番号を付けます。", kind="number")
    return bound((number,), f"recv-{exam_id}")


def appointment_body(form: EntryForm) -> dict[str, Any]:
    """Appointment's JSON (the time as typed, full-width digits made half-width)."""
    typed = form.json()
    typed["appointment_time"] = str(typed.get("appointment_time") or "").translate(FULL_WIDTH)
    return typed


FULL_WIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")


def filled_appointment(exam: Mapping[str, Any]) -> EntryForm:
    """An exam's appointment form showing what is stored (the time as HH:MM)."""
    stored = dict(exam) | {"appointment_time": str(exam.get("appointment_time") or "")[:5]}
    if not stored.get("appointment_place") and exam.get("institution"):
        stored["appointment_place"] = exam["institution"]
        stored["appointment_place_code"] = exam.get("institution_code") or ""
    return EntryForm.filled(appointment_fields(str(exam["id"])), stored, exam.get("version"))
