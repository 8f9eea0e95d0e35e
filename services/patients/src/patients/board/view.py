"""How 診査会 records read: their items as JSON, the labels of the coded ones and the rules' dates of a case."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from tbms_contracts.patients import BoardRecordSnapshot

from patients.board import codes, rules
from patients.board.models import BoardCase, BoardSession, Measure, PatientCard
from patients.board.rules import BoardRules
from patients.board.schemas import CaseRead, DueRead, PeriodRead, SessionRead
from patients.patient.models import Patient

CASE_FIELDS = (
    "session_id", "position", "kind", "received_on", "admitted_on", "summary", "bacteriology", "xray", "gakkai",
    "treatment_plan", "certificate_on", "certificate_doctor", "institution", "institution_code", "pharmacy",
    "income_tax_yen", "restricted_work", "decision", "decided_on", "valid_from", "valid_to", "conditions", "comments",
    "payer_number", "recipient_number", "notified_on", "withdrawn_reason", "note",
)  # fmt: skip
SESSION_FIELDS = ("held_at", "place", "members", "quorum", "agenda", "minutes", "status")
CARD_FIELDS = (
    "case_id", "payer_number", "recipient_number", "valid_from", "valid_to", "institution", "pharmacy", "care_kind",
    "issued_on", "reissues", "changes", "returned_on", "status",
)  # fmt: skip
MEASURE_FIELDS = (
    "case_id", "article", "issued_on", "starts_at", "ends_at", "starts_on", "ends_on", "hospital", "restricted_work",
    "delivery", "delivered_on", "statement", "ended_on", "end_reason", "end_note",
)  # fmt: skip
FIELDS = {"session": SESSION_FIELDS, "case": CASE_FIELDS, "card": CARD_FIELDS, "measure": MEASURE_FIELDS}


def data(kind: str, record: Any) -> dict[str, Any]:
    """A record's items as JSON values."""
    return {name: to_jsonable_python(getattr(record, name)) for name in FIELDS[kind]}


def labels(kind: str, record: Any) -> dict[str, str]:
    """Japanese labels of a record's coded items."""
    if kind == "case":
        return {
            "kind": codes.KIND_LABELS.get(record.kind, ""),
            "decision": codes.DECISION_LABELS.get(record.decision, ""),
        }
    if kind == "session":
        return {"status": codes.SESSION_STATUSES.get(record.status, "")}
    if kind == "card":
        return {"status": codes.CARD_STATUSES.get(record.status, "")}
    return {
        "article": codes.ARTICLES.get(record.article, ""),
        "delivery": codes.DELIVERIES.get(record.delivery, ""),
        "end_reason": codes.END_REASONS.get(record.end_reason, ""),
    }


def snapshot(kind: str, record: Any) -> BoardRecordSnapshot:
    """A record as BoardRecordSaved carries it: its items and the labels of the coded ones."""
    return BoardRecordSnapshot(
        id=str(record.id),
        patient_id=str(getattr(record, "patient_id", "") or ""),
        version=record.version,
        kind=kind,
        data=data(kind, record),
        labels=labels(kind, record),
    )


def session_read(row: BoardSession, case_count: int = 0) -> SessionRead:
    """A session with its attendance judged against the quorum."""
    present = sum(1 for m in row.members or [] if m.get("present", True))
    return SessionRead(
        id=row.id,
        version=row.version,
        held_at=row.held_at,
        place=row.place,
        members=row.members or [],
        quorum=row.quorum,
        present=present,
        quorate=present >= row.quorum,
        agenda=row.agenda,
        minutes=row.minutes,
        status=row.status,
        status_label=codes.SESSION_STATUSES.get(row.status, ""),
        case_count=case_count,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def patient_summary(patient: Patient | None) -> dict[str, Any]:
    """What a case shows of its patient."""
    if patient is None:
        return {}
    return {
        "registration_no": patient.registration_no,
        "name": patient.name,
        "name_kana": patient.name_kana,
        "sex": patient.sex,
        "birth_date": patient.birth_date.isoformat(),
        "address": patient.address,
        "postal_code": patient.postal_code,
    }


def proposed_cover(case: BoardCase, current_end: date | None, config: BoardRules) -> rules.Period | None:
    """The cover the rules give a 公費 case: from receipt (37条の2), after the current one (continuation) or from
    the 勧告入院 (37条)."""
    if case.kind in ("37-2_new", "37-2_change"):
        return rules.new_cover(case.received_on, config)
    if case.kind == "37-2_continuation":
        return rules.continued_cover(case.received_on, current_end, config)
    if case.kind == "37_admission" and case.admitted_on:
        return rules.Period(
            case.admitted_on, case.admitted_on, "法37条: 勧告入院の日から（終了は退院または勧告の終了まで）"
        )
    if case.kind == "art20" and case.admitted_on:
        return rules.admission_period(case.admitted_on, config)
    if case.kind == "art20_extension" and case.admitted_on:
        return rules.extension_period(case.admitted_on, config)
    return None


def case_read(
    case: BoardCase, patient: Patient | None, today: date, config: BoardRules, current_end: date | None = None
) -> CaseRead:
    """A case with its patient, the decision due date (days left) and the cover the rules give."""
    _, basis, needs_board = codes.CASE_KINDS[case.kind]
    due = None
    if needs_board and basis == "37-2" and case.decision in ("", "deferred"):
        d = rules.decision_due(case.received_on, config)
        due = DueRead(on=d.on, why=d.why, days_left=d.days_left(today))
    period = proposed_cover(case, current_end, config)
    cover = None
    if case.valid_from:
        cover = PeriodRead(start=case.valid_from, end=case.valid_to, why=period.why if period else "決定による")
    elif period:
        end = None if case.kind == "37_admission" else period.end
        cover = PeriodRead(start=period.start, end=end, why=period.why)
    copay = None
    if case.kind == "37_admission":
        c = rules.copay(case.income_tax_yen, config)
        copay = {"applies": c.applies, "cap_yen": c.cap_yen, "why": c.why}
    return CaseRead(
        id=case.id,
        version=case.version,
        patient_id=case.patient_id,
        patient=patient_summary(patient),
        data=data("case", case),
        kind_label=codes.KIND_LABELS[case.kind],
        basis=basis,
        needs_board=needs_board,
        decision_label=codes.DECISION_LABELS.get(case.decision, ""),
        decision_due=due,
        cover=cover,
        copay=copay,
        updated_at=case.updated_at,
        updated_by=case.updated_by,
    )


def card_read(card: PatientCard, today: date, config: BoardRules) -> dict[str, Any]:
    """A 患者票 with its status label and whether it expires soon."""
    days = (card.valid_to - today).days
    return {
        "id": str(card.id),
        "version": card.version,
        "patient_id": str(card.patient_id),
        **data("card", card),
        **{f"{k}_label": v for k, v in labels("card", card).items()},
        "days_left": days,
        "expiring": card.status == "issued" and 0 <= days <= config.card_notice_days,
    }


def measure_read(measure: Measure, today: date) -> dict[str, Any]:
    """A 勧告 with its labels and the days left of its period."""
    return {
        "id": str(measure.id),
        "version": measure.version,
        "patient_id": str(measure.patient_id),
        **data("measure", measure),
        **{f"{k}_label": v for k, v in labels("measure", measure).items()},
        "days_left": (measure.ends_on - today).days if measure.ends_on and not measure.ended_on else None,
        "in_force": measure.ended_on is None,
    }
