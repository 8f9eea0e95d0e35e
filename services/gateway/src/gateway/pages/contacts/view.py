"""What the contact pages show: codes as words, dates in 和暦, the plan with its reasons, the history, the lists."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from gateway.clients.contacts import MAX_OFFSET, PAGE_SIZE
from gateway.pages.contacts.entry_forms import (
    END,
    END_REASONS,
    EXAM_COMMON,
    EXAM_DETAILS,
    EXAM_KINDS,
    EXPOSURE,
    INFECTIOUSNESS,
    IRRADIATION,
    OUTCOME,
    OUTCOMES,
    PERSON,
    PLAN_KIND_TO_EXAM,
    PRIORITIES,
    PRIORITY,
    PROJECTIONS,
    RESIDENCE,
    RESULTS,
    RISK_FACTORS,
    SETTINGS,
    SEX,
)
from gateway.web.templating import wareki, wareki_with_seireki

SETTING_LABELS = dict(SETTINGS)
INFECTIOUSNESS_LABELS = dict(INFECTIOUSNESS)
RISK_LABELS = dict(RISK_FACTORS)
OUTCOME_LABELS = dict(OUTCOMES)
END_REASON_LABELS = dict(END_REASONS)
EXAM_KIND_LABELS = dict(EXAM_KINDS)
CONTACT_STATUS = {"active": "健診中", "ended": "終了"}
EXAM_STATUS = {"planned": "予定", "done": "実施済み", "cancelled": "取消"}
PLAN_STATUS = {
    "done": "実施済み",
    "due": "予定",
    "overdue": "期限超過",
    "not_needed": "不要（感染が判明済み）",
    "closed": "終了（健診終了のため）",
}
STEP_LABELS = {"now": "直ちに", "baseline": "ベースライン", "after_window": "ウインドウ期後"}
UNCONFIRMED = "【未確認】"
EMPTY = "未入力"
FIELD_LABELS = {
    **{f.name: f.label for f in (*PERSON, *PRIORITY, *OUTCOME, *EXPOSURE, *EXAM_COMMON, *EXAM_DETAILS.values())},
    "found_on": "把握した日",
    "status": "状態",
    "ended_on": "終了日",
    "end_reason": END[1].label,
    "index_patient_id": "発端患者",
    "kind": "検査の種類",
    "result": "結果",
    "cancel_reason": "取消の理由",
    "cancelled_on": "取消日",
    "patient_id": "結び付けた患者",
    "issued_on": "勧告日",
    "delivery": "交付方法",
    "delivery_note": "交付方法（その他）",
    "exams": "勧告する検査",
    "deadline_on": "受診期限",
    "note": "備考",
    # an X-ray's 照射条件 (irradiation.kv …: the history names the last part)
    **{f.name.split(".")[-1]: f.label for f in IRRADIATION},
}
CODE_LABELS: dict[str, Mapping[str, str]] = {
    "sex": dict(SEX),
    "residence": dict(RESIDENCE),
    "setting": SETTING_LABELS,
    "infectiousness": INFECTIOUSNESS_LABELS,
    "outcome": OUTCOME_LABELS,
    "priority_override": dict(PRIORITIES),
    "end_reason": END_REASON_LABELS,
    "kind": EXAM_KIND_LABELS,
    "projection": dict(PROJECTIONS),  # an X-ray's 照射条件 (its history names the last part: irradiation.projection)
}
RECORD_LABELS = {"contact": "接触者", "exposure": "接触状況", "exam": "検査", "recommendation": "勧告"}
RECOMMENDATION_STATUS = {"issued": "勧告中", "cancelled": "取消"}


@dataclass(frozen=True)
class Paging:
    """Which contacts of how many a list shows, and the links to the pages before and after."""

    total: int
    page: int
    path: str
    size: int = PAGE_SIZE
    query: tuple[tuple[str, str], ...] = ()  # the list's conditions, kept by the links to other pages

    @property
    def offset(self) -> int:
        """How many contacts come before this page."""
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        """The number of the first contact shown (1-based), 0 when none."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        """The number of the last contact shown."""
        return min(self.page * self.size, self.total)

    @property
    def pages(self) -> int:
        """How many pages may be opened (at least one; contacts pages no further than 10,000 rows in)."""
        return max(1, min(-(-self.total // self.size), MAX_OFFSET // self.size + 1))

    @property
    def cut(self) -> bool:
        """True when more contacts match than the pages reach (the conditions must narrow them)."""
        return self.total > self.pages * self.size

    def link(self, page: int) -> str:
        """The same list at page `page`."""
        params = [*self.query, *((("page", str(page)),) if page > 1 else ())]
        return f"{self.path}?{urlencode(params)}" if params else self.path


def due_view(due: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A plan item as a list shows it: what, when, and whether it is overdue (said in words, not by colour)."""
    if not due:
        return None
    status = str(due.get("status") or "")
    return {
        "label": str(due.get("label") or ""),
        "step": step_label(str(due.get("step") or "")),
        "due_on": due.get("due_on"),
        "overdue": status == "overdue",
        "status": PLAN_STATUS.get(status, status),
    }


def step_label(step: str) -> str:
    """直ちに, ベースライン, ウインドウ期後, or 「6か月後」 of a step such as month_6."""
    if step.startswith("month_"):
        return f"{step.removeprefix('month_')}か月後"
    return STEP_LABELS.get(step, step)


def state_label(contact: Mapping[str, Any]) -> str:
    """健診中 or 終了, with the outcome when there is one."""
    state = CONTACT_STATUS.get(str(contact.get("status")), str(contact.get("status") or ""))
    outcome = OUTCOME_LABELS.get(str(contact.get("outcome") or ""), "")
    return f"{state}・{outcome}" if outcome else state


def exposure_to(contact: Mapping[str, Any], index_patient_id: str) -> Mapping[str, Any]:
    """The contact's exposure to this index patient (the first one when none matches)."""
    exposures = list(contact.get("exposures") or [])
    found = next((e for e in exposures if str(e.get("index_patient_id")) == index_patient_id), None)
    return found or (exposures[0] if exposures else {})


def relation_text(exposure: Mapping[str, Any]) -> str:
    """「同居家族（妻）」: the setting and, when typed, the relation."""
    code = str(exposure.get("setting") or "")
    setting = str(exposure.get("setting_label") or SETTING_LABELS.get(code, code))  # from the コード表 when read
    relation = str(exposure.get("relation") or "")
    return f"{setting}（{relation}）" if setting and relation else setting or relation


DUE_CHOICES = (
    ("week", "今週が期限（今日から7日以内）"),
    ("overdue", "期限超過"),
    ("no_result", "結果未入力（健診中）"),
)
STATUS_CHOICES = (("active", "健診中"), ("ended", "終了"), ("all", "すべて"))
SORT_CHOICES = (("due", "次の予定日が早い順"), ("name", "カナ順"), ("found", "登録の古い順"))
DEFAULTS = {"status": "active", "sort": "due"}  # a nurse's working list: those still followed, the earliest due first


def setting_choices(codes: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """接触の場 as the list filters it: the コード表's codes in force, then the ended ones (old contacts hold them);
    the built-in ones while contacts answers none."""
    lists = codes.get("lists") or {}
    found = dict(lists.get("contact_setting") or {}) | dict(lists.get("former:contact_setting") or {})
    return tuple(found.items()) or SETTINGS


def screening_conditions(
    typed: Mapping[str, str], settings: Sequence[tuple[str, str]] = SETTINGS
) -> tuple[dict[str, str], dict[str, str]]:
    """The list's conditions as contacts takes them (defaults applied), and those the user gave (kept in links).

    Values outside the choices are dropped rather than sent on: the form only offers the choices.
    """
    allowed = {
        "due": dict(DUE_CHOICES),
        "setting": dict(settings),
        "priority": dict(PRIORITIES),
        "status": dict(STATUS_CHOICES),
        "sort": dict(SORT_CHOICES),
    }
    given: dict[str, str] = {}
    for name in ("due", "district", "setting", "priority", "status", "sort", "index_patient_id"):
        value = str(typed.get(name) or "").strip()
        if not value or (name in allowed and value not in allowed[name]):
            continue
        if name == "district":
            value = value[:20]
        if name == "index_patient_id":
            try:
                value = str(uuid.UUID(value))
            except ValueError:
                continue
        given[name] = value
    conditions = DEFAULTS | given
    if conditions["status"] == "all":
        del conditions["status"]
    return conditions, given


def screening_choices(districts: Sequence[str], settings: Sequence[tuple[str, str]] = SETTINGS) -> dict[str, Any]:
    """The choices of the list's form."""
    return {
        "due": DUE_CHOICES,
        "district": tuple((d, d) for d in districts),
        "setting": tuple(settings),
        "priority": PRIORITIES,
        "status": STATUS_CHOICES,
        "sort": SORT_CHOICES,
        "defaults": DEFAULTS,
    }


def duplicate_row(candidate: Mapping[str, Any], index_patient_id: str) -> dict[str, Any]:
    """A contact the duplicate check found, as the registration form lists it."""
    linked = [(str(p.get("id")), str(p.get("name") or "（名前未取得）")) for p in candidate.get("index_patients") or []]
    return {
        "id": str(candidate["id"]),
        "version": candidate.get("version"),
        "name": candidate.get("name", ""),
        "name_kana": candidate.get("name_kana", ""),
        "birth_date": candidate.get("birth_date"),
        "phone": candidate.get("phone", ""),
        "ended": candidate.get("status") == "ended",
        "index_patients": linked,
        "already_here": any(pid == index_patient_id for pid, _ in linked),
        "why": "・".join(str(w) for w in candidate.get("why") or []),
    }


def confirmed_new(posted: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]) -> bool:
    """True when the user ticked 「別人として登録する」 after seeing every one of these candidates."""
    seen = set(str(posted.get("checked_duplicates") or "").split())
    return posted.get("confirm_new") == "yes" and {str(c["id"]) for c in candidates} <= seen


def patient_row(candidate: Mapping[str, Any]) -> dict[str, Any]:
    """A registered patient the duplicate check found, as the registration form lists them."""
    return {
        "id": str(candidate["id"]),
        "registration_no": candidate.get("registration_no", ""),
        "name": candidate.get("name", ""),
        "name_kana": candidate.get("name_kana", ""),
        "birth_date": candidate.get("birth_date"),
        "excluded": candidate.get("status") not in (None, "", "active"),
        "why": "・".join(str(w) for w in candidate.get("why") or []),
    }


def chosen_patient(
    posted: Mapping[str, Any], patients: Sequence[Mapping[str, Any]], candidates: Sequence[Mapping[str, Any]]
) -> str:
    """The patient the user chose to register the contact as (「この患者を接触者として登録する」), once every
    candidate was seen; "" when none was chosen."""
    chosen = str(posted.get("as_patient") or "")
    seen = set(str(posted.get("checked_duplicates") or "").split())
    if chosen in {str(p["id"]) for p in patients} and {str(c["id"]) for c in candidates} <= seen:
        return chosen
    return ""


def list_row(contact: Mapping[str, Any], index_patient_id: str = "") -> dict[str, Any]:
    """One contact as a list shows it; with an index patient, the exposure to them."""
    exposure = exposure_to(contact, index_patient_id)
    priority = contact.get("priority") or {}
    return {
        "id": contact["id"],
        "name": contact.get("name", ""),
        "name_kana": contact.get("name_kana", ""),
        "relation": relation_text(exposure),
        "last_contact_on": exposure.get("last_contact_on"),
        "priority": str(priority.get("label") or "未判定"),
        "overridden": bool(priority.get("override")),
        "next_due": due_view(contact.get("next_due")),
        "state": state_label(contact),
        "index_patients": [
            (str(e.get("index_patient_id")), str(e.get("index_patient_name") or "（名前未取得）"))
            for e in contact.get("exposures") or []
        ],
    }


def plan_view(plan: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[int, str, bool]]]:
    """The plan's items with their reason, and the sources they rest on as numbered notes (each said once);
    a source marked 【未確認】 is flagged so the page can say the rule is not yet confirmed."""
    notes: list[str] = []
    rows = []
    for item in plan:
        basis = str(item.get("basis") or "")
        if basis and basis not in notes:
            notes.append(basis)
        status = str(item.get("status") or "")
        rows.append(
            {
                "label": str(item.get("label") or ""),
                "step": step_label(str(item.get("step") or "")),
                "due_on": item.get("due_on"),
                "why": str(item.get("why") or ""),
                "status": status,
                "status_label": PLAN_STATUS.get(status, status),
                "note": notes.index(basis) + 1 if basis else None,
                "exam_kind": PLAN_KIND_TO_EXAM.get(str(item.get("kind")), ""),
                "unconfirmed": basis.startswith(UNCONFIRMED),
            }
        )
    return rows, [(i, text.removeprefix(UNCONFIRMED), text.startswith(UNCONFIRMED)) for i, text in enumerate(notes, 1)]


def with_nurses(codes: Mapping[str, Any] | None, nurses: Mapping[str, str], kept: str = "") -> dict[str, Any]:
    """contacts' code lists with the 担当保健師 choices of masters' staff assignment (`nurse`); a stored nurse no
    longer assigned stays choosable under `former:nurse`, so a correction does not lose it."""
    lists = dict((codes or {}).get("lists") or {})
    lists["nurse"] = dict(nurses)
    lists["former:nurse"] = {kept: kept} if kept and kept not in nurses else {}
    return {**(codes or {}), "lists": lists}


def nurse_text(contact: Mapping[str, Any], nurses: Mapping[str, str]) -> str:
    """The contact's own 担当保健師 by name, or who follows the contact without one."""
    own = str(contact.get("nurse") or "")
    return nurses.get(own, own) if own else "未設定（発端患者の担当保健師）"


def person_facts(contact: Mapping[str, Any], nurses: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The contact's identity, risk factors and 担当保健師 as (label, value)."""
    residence = dict(RESIDENCE).get(str(contact.get("residence") or ""), "")
    if contact.get("residence") == "elsewhere":
        code = f"（{contact['municipality_code']}）" if contact.get("municipality_code") else ""
        residence = f"{residence}：{contact.get('municipality') or ''}{code}"
    return [
        ("カナ", str(contact.get("name_kana") or EMPTY)),
        ("性別", dict(SEX).get(str(contact.get("sex") or ""), EMPTY)),
        ("生年月日", _date(contact.get("birth_date"), long=True)),
        ("住所", str(contact.get("address") or EMPTY)),
        ("電話番号", str(contact.get("phone") or EMPTY)),
        ("学校・勤務先", str(contact.get("affiliation") or EMPTY)),
        ("住所地", residence or EMPTY),
        ("発病・重症化のリスク", "、".join(RISK_LABELS.get(r, r) for r in contact.get("risk_factors") or []) or "なし"),
        ("症状", "あり" if contact.get("symptomatic") else "なし"),
        ("担当保健師", nurse_text(contact, nurses or {})),
        ("把握した日", _date(contact.get("found_on"))),
        ("備考", str(contact.get("note") or "なし")),
    ]


def exposure_facts(exposure: Mapping[str, Any]) -> list[tuple[str, str]]:
    """One exposure as (label, value), with the class the rules give it and why."""
    hours = exposure.get("hours")
    environment = [
        label for name, label in (("closed_room", "閉鎖空間"), ("poor_ventilation", "換気不良")) if exposure.get(name)
    ]
    judged = exposure.get("exposure_class") or {}
    return [
        ("接触の場・関係", relation_text(exposure) or EMPTY),
        ("初回接触日", _date(exposure.get("first_contact_on"))),
        ("最終接触日", _date(exposure.get("last_contact_on"))),
        ("接触時間の合計", f"{hours:g}時間" if isinstance(hours, int | float) else EMPTY),
        ("接触の頻度", str(exposure.get("frequency") or EMPTY)),
        ("環境", "・".join(environment) or "特記なし"),
        ("発端患者の感染性", INFECTIOUSNESS_LABELS.get(str(exposure.get("infectiousness") or ""), EMPTY)),
        ("接触者の区分", f"{judged.get('label', '')}（{judged.get('why', '')}）" if judged else EMPTY),
        ("備考", str(exposure.get("note") or "なし")),
    ]


def coded_labels(codes: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """{field: {code: label}} of the コード表 lists contacts answered (ended codes too): how the history reads a
    setting or an exam kind added in マスタ管理."""
    lists = (codes or {}).get("lists") or {}

    def every(name: str) -> dict[str, str]:
        return dict(lists.get(name) or {}) | dict(lists.get(f"former:{name}") or {})

    return {
        "setting": every("contact_setting"),
        "kind": every("screening_exam"),
        "end_reason": every("contact_end_reason"),
        "nurse": every("nurse"),
    }


def history_view(
    items: Sequence[Mapping[str, Any]], contact: Mapping[str, Any], codes: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The history newest first: who, when, which record (the contact, an exposure to whom, which exam), why,
    and each item from what to what in words; an addition lists only what was filled in."""
    coded = coded_labels(codes)
    exposures = {str(e.get("id")): e for e in contact.get("exposures") or []}
    names = {str(e.get("index_patient_id")): str(e.get("index_patient_name") or "") for e in exposures.values()}
    if contact.get("patient_id"):
        names[str(contact["patient_id"])] = str(contact.get("patient_name") or "登録患者")
    exams = {str(e.get("id")): e for e in contact.get("exams") or []}
    entries = []
    for item in items:
        record_type, record_id = str(item.get("record_type") or ""), str(item.get("record_id") or "")
        changes = item.get("changes") or {}
        added = bool(changes) and all(old is None for old, _ in changes.values())
        exam_kind = str((exams.get(record_id) or {}).get("kind") or (changes.get("exam.kind") or [None, ""])[1])
        rows = []
        for key, (old, new) in changes.items():
            name = key.split(".")[-1]
            if added and new in (None, "", False, []):
                continue
            rows.append(
                {
                    "label": FIELD_LABELS.get(name, name),
                    "old": shown(name, old, names, exam_kind, coded),
                    "new": shown(name, new, names, exam_kind, coded),
                }
            )
        entries.append(
            {
                **item,
                "record_label": _record_label(record_type, record_id, exposures, exams, exam_kind, coded["kind"]),
                "added": added,
                "rows": rows,
            }
        )
    return entries


def _record_label(
    record_type: str,
    record_id: str,
    exposures: Mapping[str, Mapping[str, Any]],
    exams: Mapping[str, Mapping[str, Any]],
    exam_kind: str,
    kinds: Mapping[str, str] | None = None,
) -> str:
    label = RECORD_LABELS.get(record_type, record_type)
    if record_type == "exposure" and record_id in exposures:
        return f"{label}（発端患者: {exposures[record_id].get('index_patient_name') or '名前未取得'}）"
    if record_type == "exam":
        kind = (kinds or {}).get(exam_kind) or EXAM_KIND_LABELS.get(exam_kind, exam_kind or "種類不明")
        return f"{label}（{kind}）"
    return label


def shown(
    name: str,
    value: Any,
    index_names: Mapping[str, str],
    exam_kind: str = "",
    coded: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """A value of the history in words: codes as labels, dates in 和暦, はい／いいえ; "" when empty."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return "、".join(RISK_LABELS.get(str(v), str(v)) for v in value)
    if name.endswith("_on") or name == "birth_date":
        return _date(value)
    if name == "patient_id":
        return index_names.get(str(value)) or "登録患者"
    if name == "index_patient_id":
        return index_names.get(str(value)) or str(value)
    if name == "result":
        return dict(RESULTS.get(exam_kind, ())).get(str(value), str(value))
    if name == "status":
        return {**CONTACT_STATUS, **EXAM_STATUS, **RECOMMENDATION_STATUS}.get(str(value), str(value))
    if name == "hours" and isinstance(value, int | float):
        return f"{value:g}時間"
    labels = (coded or {}).get(name) or CODE_LABELS.get(name, {})
    return str(labels.get(str(value), value))


def exam_result(exam: Mapping[str, Any]) -> str:
    """An exam's result in one line: the judgement and its measurement or finding."""
    parts = [str(exam.get("result_label") or "")]
    if exam.get("value"):
        parts.append(f"測定値 {exam['value']}")
    if exam.get("induration_mm") is not None:
        parts.append(f"硬結 {exam['induration_mm']}mm")
    if exam.get("erythema_mm") is not None:
        parts.append(f"発赤 {exam['erythema_mm']}mm")
    if exam.get("finding"):
        parts.append(str(exam["finding"]))
    return "　".join(p for p in parts if p) or ("結果未入力" if exam.get("status") == "done" else "—")


def _date(value: Any, *, long: bool = False) -> str:
    if not value:
        return EMPTY
    return wareki_with_seireki(str(value)) if long else wareki(str(value))
