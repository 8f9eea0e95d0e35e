"""DOTS records as events: each plan, assessment, confirmation and cohort review is published as a CareRecordSaved
of its own kind (`dots_plan`, …), so the reports read model prints F01, F02, F04 and F07 from them."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import CareRecordSaved, CareRecordSnapshot
from tbms_core import outbox
from tbms_core.events import Envelope

from patients.code_list.service import code_book
from patients.dots.cohort import END_REASONS, OUTCOMES, SUB_REASONS
from patients.dots.config import DOTS_TYPES, METHODS, STATUSES
from patients.dots.ltbi import LTBI_REGIMENS

# The kinds as published, and as staff call them in the edit history.
KINDS = {
    "dots_assessment": "DOTSアセスメント",
    "dots_plan": "服薬支援計画",
    "dots_confirmation": "服薬確認",
    "dots_cohort_review": "コホート判定",
    "dots_setting": "DOTSの設定",
}
# The items of each kind as staff call them in the edit history.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "dots_assessment": {
        "assessed_on": "アセスメント日",
        "answers": "該当項目",
        "level": "評価（支援強度）",
        "suggested_type": "提案するDOTSの種類",
        "assessor": "評価者",
        "note": "備考",
    },
    "dots_plan": {
        "treatment_id": "対象の治療",
        "starts_on": "支援開始日",
        "ends_on": "支援終了日",
        "dots_type": "DOTSの種類",
        "intensity": "支援強度",
        "interval_days": "確認の間隔（日）",
        "nurse": "担当者",
        "nurse_name": "担当者の氏名",
        "supporters": "支援者",
        "conference_on": "DOTSカンファレンスの日",
        "conference_participants": "カンファレンスの参加者",
        "consent_on": "本人の同意日",
        "consent_how": "同意の方法",
        "goals": "支援の目標",
        "planned_confirmations": "予定する服薬確認",
        "reviews": "評価・見直し",
        "ltbi_regimen": "LTBIの処方",
        "note": "備考",
    },
    "dots_confirmation": {
        "confirmed_on": "確認日",
        "method": "確認の方法",
        "status": "服薬",
        "side_effects": "副作用",
        "remaining_doses": "残薬",
        "note": "備考",
    },
    "dots_cohort_review": {
        "end_reason": "治療終了の理由",
        "died_on": "死亡日",
        "death_cause": "死因",
        "override_outcome": "判定（変更後）",
        "override_reason": "判定を変更した理由",
        "computed_outcome": "計算した判定（変更時）",
        "computed_rule": "計算の根拠（変更時）",
        "meeting_note": "コホート検討会の記録",
    },
}
HOUSEKEEPING = {"id", "patient_id", "version", "created_at", "updated_at", "updated_by"}
CODES: dict[str, dict[str, str]] = {
    "dots_type": DOTS_TYPES,
    "suggested_type": DOTS_TYPES,
    "method": METHODS,
    "status": STATUSES,
    "end_reason": END_REASONS,
    "override_outcome": OUTCOMES,
    "computed_outcome": OUTCOMES,
    "outcome": OUTCOMES,
    "sub_reason": SUB_REASONS,
    "ltbi_regimen": {code: regimen.label for code, regimen in LTBI_REGIMENS.items()},
}


def record_data(record: Any) -> dict[str, Any]:
    """A DOTS record's items as JSON values (dates ISO), without the bookkeeping columns."""
    return {
        column.key: to_jsonable_python(getattr(record, column.key))
        for column in type(record).__table__.columns
        if column.key not in HOUSEKEEPING
    }


def labels_of(data: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Japanese labels of the coded items of a record (訪問DOTS, 服薬, 治癒 …)."""
    found = {name: codes.get(str(data.get(name)), "") for name, codes in CODES.items() if data.get(name)}
    return {name: label for name, label in (found | (extra or {})).items() if label}


async def dots_types(session: AsyncSession) -> dict[str, str]:
    """The labels of the DOTSの種類 (a kind added in マスタ管理 has its label there)."""
    return (await code_book(session)).labels("dots_type")


def dots_snapshot(
    kind: str,
    record: Any,
    types: dict[str, str],
    *,
    data: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
) -> CareRecordSnapshot:
    """A DOTS record as CareRecordSaved carries it: its items (with `data` laid over them) and the labels of the
    coded ones, `types` naming the DOTSの種類 and `labels` adding those the caller knows (the intensity's)."""
    values = record_data(record) | (data or {})
    typed = {name: types[str(values[name])] for name in ("dots_type", "suggested_type") if values.get(name) in types}
    return CareRecordSnapshot(
        id=str(record.id),
        patient_id=str(record.patient_id),
        version=record.version,
        kind=kind,
        data=values,
        labels=labels_of(values, typed | (labels or {})),
    )


async def publish(
    session: AsyncSession,
    kind: str,
    record: Any,
    actor: str,
    *,
    created: bool,
    changed: list[str] | None = None,
    data: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Adds CareRecordSaved for a DOTS record to the outbox, in the caller's transaction."""
    snapshot = dots_snapshot(kind, record, await dots_types(session), data=data, labels=labels)
    event = CareRecordSaved(care_record=snapshot, created=created, changed_fields=changed or [])
    envelope = Envelope.of(event, aggregate_id=record.id, version=record.version, actor=actor)
    await outbox.add(session, envelope)
