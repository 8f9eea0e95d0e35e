"""How a 管理検診 and a 行動調査 are kept: as a care record of their own kind, which every form is printed from; the
same from their events (reports.followup.consumers) and from a rebuild (reports.followup.service)."""

from __future__ import annotations

from tbms_contracts.patients import CareRecordSnapshot, FollowupExamSnapshot, InvestigationSnapshot

from reports.care_record.models import FOLLOWUP_EXAM, INVESTIGATION


def exam_record(exam: FollowupExamSnapshot) -> CareRecordSnapshot:
    """An examination with its due date, the reason and the schedule's basis beside its items."""
    data = exam.model_dump(mode="json", exclude={"id", "patient_id", "version", "data", "labels"}) | exam.data
    return CareRecordSnapshot(
        id=exam.id, patient_id=exam.patient_id, version=exam.version, kind=FOLLOWUP_EXAM, data=data, labels=exam.labels
    )


def investigation_record(found: InvestigationSnapshot) -> CareRecordSnapshot:
    """An investigation with its computed period and delays."""
    data = found.model_dump(mode="json", exclude={"id", "patient_id", "version"})
    return CareRecordSnapshot(
        id=found.id, patient_id=found.patient_id, version=found.version, kind=INVESTIGATION, data=data
    )
