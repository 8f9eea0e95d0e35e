"""How the history shows fields and values: Japanese labels, dates as 和暦（西暦）."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tbms_contracts.card_codes import DISEASE_FORMS, EXTRAPULMONARY_SITES, OCCUPATIONS
from tbms_contracts.labels import REGISTRATION_CATEGORY_LABELS
from tbms_core.jp.wareki import WarekiError, format_both

from patients.board.codes import CARD_STATUSES, DECISION_LABELS, DELIVERIES, END_REASONS
from patients.care.codes import REGIMENS
from patients.care.schemas import (
    CONTACT_MODES,
    DIRECTIONS,
    NOTE_KINDS,
    OUTCOMES,
    PUBLIC_EXPENSE_BASES,
    PUBLIC_EXPENSE_STATUSES,
)
from patients.dots.events import CODES as DOTS_CODES
from patients.dots.events import FIELD_LABELS as DOTS_FIELD_LABELS
from patients.dots.events import KINDS as DOTS_KINDS
from patients.patient.card import (
    GAKKAI_SIDES,
    GAKKAI_TYPES,
    NOTIFICATION_TYPES,
    PRIOR_TREATMENTS,
    RISK_FACTORS,
    SYMPTOMS,
)
from patients.patient.classification import CLASSIFICATIONS

FIELD_LABELS = {
    "profiles": "管理検診の間隔と期間",
    "investigation_extra_items": "行動調査票に保健所が加える項目",
    "infectious_period": "感染性期間の起点（さかのぼる月数）",
    "name": "氏名",
    "name_kana": "カナ",
    "sex": "性別",
    "birth_date": "生年月日",
    "category": "登録区分",
    "registered_on": "登録年月日",
    "postal_code": "郵便番号",
    "address": "住所",
    "phone": "電話番号",
    "district": "地区",
    "nurse": "担当保健師",
    "specimen": "検体",
    "collected_on": "採取日",
    "result_on": "結果日",
    "laboratory": "検査機関",
    "kind": "検査種別",
    "mdr": "多剤耐性（MDR）",
    "details.grade": "塗抹（判定）",
    "details.gaffky": "塗抹（ガフキー号数）",
    "details.medium": "培養（培地）",
    "details.result": "結果",
    "details.colony_grade": "培養（菌量）",
    "details.method": "方法",
    "details.organism": "同定",
    "details.species": "菌種",
    "details.test": "IGRA（検査）",
    "details.value": "測定値",
    "details.judgement": "判定",
    "details.induration_mm": "硬結（mm）",
    "details.erythema_mm": "発赤（mm）",
    "status": "状態",
    "excluded_on": "登録除外日",
    "exclusion_reason": "除外理由",
    "exclusion_note": "除外の備考",
    "alias": "通称・旧姓",
    "occupation": "職業区分",
    "occupation_note": "職業（詳細）",
    "birth_country": "出生国",
    "nationality": "国籍",
    "guardian.name": "保護者氏名",
    "guardian.relation": "保護者の続柄",
    "guardian.address": "保護者住所",
    "guardian.phone": "保護者電話番号",
    "notification.notified_on": "届出日",
    "notification.received_on": "受理日",
    "notification.type": "届出の類型",
    "notification.doctor_name": "届出医師",
    "notification.doctor_code": "届出医師の医師コード",
    "notification.institution_name": "届出医療機関",
    "notification.institution_address": "医療機関所在地",
    "notification.institution_phone": "医療機関電話番号",
    "notification.institution_code": "医療機関コード",
    "disease.form": "病類",
    "disease.extrapulmonary_sites": "肺外結核の部位",
    "disease.site_note": "部位（詳細）",
    "disease.gakkai_side": "学会分類（病側）",
    "disease.gakkai_type": "学会分類（病型）",
    "disease.gakkai_extent": "学会分類（拡がり）",
    "disease.imaging_note": "画像所見",
    "disease.symptoms": "症状",
    "disease.onset_on": "発病日",
    "disease.first_visit_on": "初診日",
    "disease.diagnosed_on": "診断日",
    "clinical.prior_treatment": "治療歴",
    "clinical.prior_treatment_note": "治療歴（詳細）",
    "clinical.risk_factors": "合併症・リスク要因",
    "clinical.comorbidity_note": "合併症（詳細）",
    "bacteriology.smear": "塗抹",
    "bacteriology.smear_gaffky": "塗抹（ガフキー号数）",
    "bacteriology.culture": "培養",
    "bacteriology.naat": "核酸増幅法",
    "bacteriology.identification": "同定",
    "bacteriology.dst": "薬剤感受性",
    "regimen": "処方（レジメン）",
    "regimen_note": "処方の備考",
    "started_on": "治療開始日",
    "planned_end_on": "終了予定日",
    "ended_on": "治療終了日",
    "outcome": "治療成績（転帰）",
    "institution": "治療医療機関",
    "institution_code": "治療医療機関の医療機関コード",
    "note": "備考",
    "hospital": "医療機関",
    "hospital_code": "医療機関コード",
    "admitted_on": "入院日",
    "discharged_on": "退院日",
    "recommended": "勧告入院",
    "direction": "転入・転出",
    "moved_on": "転入出日",
    "counterpart": "相手方保健所",
    "counterpart_code": "相手方の自治体コード（全国地方公共団体コード）",
    "card_sent_on": "登録票送付日",
    "noted_on": "記録日",
    "text": "内容",
    "contact": "対応の種別",
    "met": "対応した相手",
    "next_action": "次の対応",
    "ltbi": "LTBI",
    "profile": "検診の計画",
    "due_on": "予定日",
    "notice_sent_on": "お知らせ送付日",
    "second_notice_on": "再通知日",
    "appointment_on": "予約日",
    "appointment_time": "予約時刻",
    "place": "実施場所",
    "method": "把握の方法",
    "examined_on": "実施日",
    "xray_finding": "胸部X線所見",
    "sputum_smear": "喀痰塗抹",
    "sputum_culture": "喀痰培養",
    "judgement": "判定",
    "outreach": "未受診時の対応",
    "outreach_on": "対応日",
    "outreach_note": "対応の内容",
    "interviewed_on": "調査日",
    "interviewer": "調査者",
    "override_start": "感染性期間の開始（手入力）",
    "override_end": "感染性期間の終了（手入力）",
    "override_reason": "手入力の理由",
    "basis": "公費負担の根拠",
    "applied_on": "申請日（受理日）",
    "valid_from": "有効期間（開始）",
    "valid_to": "有効期間（終了）",
    "payer_number": "公費負担者番号",
    "recipient_number": "受給者番号",
}
RECORD_FIELD_LABELS = {
    "progress_note": {"kind": "記録の種類"},
    "transfer": {"address": "転入出先の住所", "sending": "転出先への送付"},
    "board_case": {
        "session_id": "診査会",
        "position": "議題の順番",
        "received_on": "受理日",
        "admitted_on": "勧告入院の日・前の期間の終了日",
        "summary": "病状の概要",
        "bacteriology": "菌検査",
        "xray": "胸部X線所見",
        "gakkai": "学会分類",
        "treatment_plan": "治療方針",
        "certificate_on": "診断書の日付",
        "certificate_doctor": "診断書の医師",
        "institution": "指定医療機関",
        "pharmacy": "指定薬局",
        "income_tax_yen": "世帯の市町村民税所得割額",
        "decision": "判定",
        "decided_on": "決定日",
        "conditions": "条件",
        "comments": "委員の意見",
        "notified_on": "決定通知日",
        "withdrawn_reason": "取消の理由",
    },
    "board_card": {"status": "患者票の状況", "reissues": "再交付", "returned_on": "返還日"},
    "board_measure": {
        "delivery": "交付方法",
        "delivered_on": "交付日",
        "statement": "意見陳述",
        "ended_on": "終了日",
        "end_reason": "終了の理由",
        "end_note": "終了の補足",
        "hospital": "医療機関",
        "restricted_work": "制限する業務",
    },
    "board_session": {"minutes": "議事録", "members": "委員", "quorum": "定足数"},
    "public_expense": {
        "status": "申請の状況",
        "institution": "指定医療機関",
        "institution_code": "指定医療機関の医療機関コード",
    },
}
VALUE_LABELS = {
    "sex": {"male": "男性", "female": "女性"},
    "category": REGISTRATION_CATEGORY_LABELS,
    # A patient's status and a 公費負担 record's share the field name; their codes do not overlap.
    "status": {"active": "登録中", "excluded": "登録除外"} | PUBLIC_EXPENSE_STATUSES | CARD_STATUSES,
    "decision": DECISION_LABELS,
    "delivery": DELIVERIES,
    "end_reason": END_REASONS,
    "exclusion_reason": {
        "two_years": "治療終了後2年経過",
        "no_followup": "経過観察不要と判断（LTBIを含む）",
        "death": "死亡",
        "transfer_out": "転出",
        "diagnosis_changed": "診断変更（結核でない）",
        "followup_ended": "経過観察終了",
        "other": "その他",
    },
    "occupation": OCCUPATIONS,
    "notification.type": NOTIFICATION_TYPES,
    "disease.form": DISEASE_FORMS,
    "disease.extrapulmonary_sites": EXTRAPULMONARY_SITES,
    "disease.gakkai_side": GAKKAI_SIDES,
    "disease.gakkai_type": GAKKAI_TYPES,
    "disease.symptoms": SYMPTOMS,
    "clinical.prior_treatment": PRIOR_TREATMENTS,
    "clinical.risk_factors": RISK_FACTORS,
    "classification_code": CLASSIFICATIONS,
    "regimen": REGIMENS,
    "outcome": OUTCOMES,
    "direction": DIRECTIONS,
    "kind": NOTE_KINDS,
    "contact": CONTACT_MODES,
    "judgement": {"normal": "異常なし", "observe": "要観察", "relapse_suspected": "再発疑い（要精査）"},
    "place": {"health_center": "保健所", "institution": "医療機関"},
    "method": {"exam": "管理検診", "doctor_report": "病状把握（主治医の報告）"},
    "outreach": {"home_visit": "家庭訪問", "phone": "電話"},
    "basis": PUBLIC_EXPENSE_BASES,
}
AT_REGISTRATION = "at_registration."
RECORD_LABELS = {
    "patient": "基本情報",
    "lab_result": "菌検査",
    "field_definition": "項目定義",
    "treatment": "治療",
    "hospitalisation": "入院",
    "transfer": "転入・転出",
    "progress_note": "経過記録",
    "public_expense": "公費負担",
    "followup_plan": "管理検診の計画",
    "followup_exam": "管理検診",
    "investigation": "行動調査",
    "followup_setting": "管理検診・行動調査の設定",
    "board_case": "診査会の案件",
    "board_card": "患者票",
    "board_measure": "勧告・就業制限",
} | DOTS_KINDS
RECORD_FIELD_LABELS |= DOTS_FIELD_LABELS
# DOTS codes (服薬確認の方法, 服薬, DOTSの種類 …); where a field name is shared the other record's codes come first
VALUE_LABELS |= {field: codes | VALUE_LABELS.get(field, {}) for field, codes in DOTS_CODES.items()}
EMPTY = "（空欄）"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_label(field: str, record_type: str = "") -> str:
    """The Japanese name of a changed field (感受性（INH） for a drug of a DST, 登録時： for record #1)."""
    if field.startswith(AT_REGISTRATION):
        return f"登録時：{field_label(field.removeprefix(AT_REGISTRATION))}"
    if field.startswith("details.results."):
        return f"感受性（{field.rsplit('.', 1)[1]}）"
    if field.startswith("bacteriology.dst."):
        return f"感受性（{field.rsplit('.', 1)[1]}）"
    return RECORD_FIELD_LABELS.get(record_type, {}).get(field) or FIELD_LABELS.get(field, field)


def format_value(field: str, value: Any) -> str:
    """A stored value as staff read it: labels for codes, 和暦（西暦） for dates, （空欄） when empty."""
    if value is None or value == "" or value == []:
        return EMPTY
    field = field.removeprefix(AT_REGISTRATION)
    if isinstance(value, list):
        return "、".join(format_value(field, item) for item in value)
    if isinstance(value, bool):
        return "該当" if value else "非該当"
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return format_both(date.fromisoformat(value))
        except (ValueError, WarekiError):
            return value
    return VALUE_LABELS.get(field, {}).get(str(value), str(value))
