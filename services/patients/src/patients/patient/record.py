"""The whole record of one patient in one read: what the patient page shows (R30, R21).

One access check, one transaction and one audit event for the page, where reading the parts one by one cost
six of each. The 総合患者分類 is derived from the results and treatments already read, and the open alerts
from the same data.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today

from patients.board.codes import ARTICLES
from patients.board.repository import MeasureRepository
from patients.care.kinds import KINDS, TRANSFER, TREATMENT
from patients.care.repository import sendings_of
from patients.care.schemas import CareRecordRead
from patients.care.sendings import with_sendings
from patients.dots.adherence import Due
from patients.dots.alerts import confirmation_due, dots_alerts
from patients.followup.alerts import followup_alerts
from patients.followup.models import FollowupExam, FollowupPlan
from patients.followup.repository import FollowupExamRepository, FollowupPlanRepository
from patients.followup.rules import Profile
from patients.followup.settings_service import FollowupSettings
from patients.history.service import HistoryService
from patients.lab_result.repository import LabResultRepository
from patients.lab_result.schemas import LabResultRead
from patients.patient.alerts import Alert, open_alerts
from patients.patient.derived import current_code_of, patient_read
from patients.patient.models import Patient
from patients.patient.repository import PatientRepository
from patients.patient.schemas import AlertRead, MeasureInForceRead, PatientRead, PatientRecordRead
from patients.settings import get_settings

SERVICE = "patients"


class PatientRecordService:
    """What the patient page reads: everything about one patient at once."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)
        self.lab_results = LabResultRepository(session)
        self.edit_history = HistoryService(session, principal)

    async def read(self, patient_id: uuid.UUID) -> PatientRecordRead:
        """Reads everything about one patient (audited as one read of the record)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        chart = await self._chart(patient)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="patient_record",
            record_id=patient.id,
            person_id=patient.id,
        )
        return PatientRecordRead(
            patient=chart.patient,
            history=await self.edit_history.timeline(patient.id),
            lab_results=chart.lab_results,
            care=chart.care,
            alerts=[AlertRead(**asdict(alert)) for alert in chart.alerts()],
            measures=await self._measures_in_force(patient.id),
        )

    async def _measures_in_force(self, patient_id: uuid.UUID) -> list[MeasureInForceRead]:
        """The 勧告 not ended whose period has begun and not run out today (Japan's date), with the days left."""
        day = today()
        return [
            MeasureInForceRead(
                id=m.id,
                article=m.article,
                label=ARTICLES.get(m.article, m.article),
                starts_on=m.starts_on,
                ends_on=m.ends_on,
                days_left=(m.ends_on - day).days if m.ends_on else None,
                hospital=m.hospital,
                restricted_work=m.restricted_work,
            )
            for m in await MeasureRepository(self.session).of_patient(patient_id)
            if m.ended_on is None and m.starts_on <= day and (m.ends_on is None or m.ends_on >= day)
        ]

    async def alerts_of(self, patient: Patient) -> list[Alert]:
        """The patient's open alerts as the page shows them today (for the deadlines of the patient's events)."""
        return (await self._chart(patient)).alerts()

    async def code_and_alerts(self, patient: Patient) -> tuple[str, list[Alert]]:
        """The 総合患者分類コード and the open alerts of a patient today (for the patient list)."""
        chart = await self._chart(patient)
        return chart.patient.classification_code, chart.alerts()

    async def _chart(self, patient: Patient) -> _Record:
        results = await self.lab_results.of_patient(patient.id)
        rows = {kind.path: await kind.repository(self.session).of_patient(patient.id) for kind in KINDS}
        care = {kind.path: [kind.read(row) for row in rows[kind.path]] for kind in KINDS}
        sent = await sendings_of(self.session, [row.id for row in rows[TRANSFER.path]])
        care[TRANSFER.path] = [with_sendings(row, sent.get(row.id, [])) for row in rows[TRANSFER.path]]
        code = current_code_of(patient, [(r.kind, r.specimen, r.details) for r in results], rows[TREATMENT.path])
        plan = await FollowupPlanRepository(self.session).of(patient.id)
        exams = await FollowupExamRepository(self.session).in_order(patient.id) if plan else []
        due = await confirmation_due(self.session, patient.id, today())
        profile = await FollowupSettings(self.session).profile(plan.profile) if plan else None
        return _Record(
            patient_read(patient, code),
            [LabResultRead.model_validate(r) for r in results],
            care,
            plan,
            exams,
            profile,
            due,
        )


@dataclass(frozen=True)
class _Record:
    """The patient with the derived items, the results and the care records, as the API returns them."""

    patient: PatientRead
    lab_results: list[LabResultRead]
    care: dict[str, list[CareRecordRead]]
    followup_plan: FollowupPlan | None = None
    followup_exams: list[FollowupExam] = field(default_factory=list)
    followup_profile: Profile | None = None  # the plan's schedule as the settings in force define it
    dots_due: Due | None = None  # the next 服薬確認 under the DOTS plan in force

    def alerts(self) -> list[Alert]:
        """The open alerts of the record, judged on Japan's today (管理検診 included)."""
        alerts = open_alerts(
            self.patient.model_dump(mode="json"),
            [r.model_dump(mode="json") for r in self.lab_results],
            {path: [r.model_dump(mode="json") for r in records] for path, records in self.care.items()},
            today(),
            get_settings().board_card_notice_days,
        )
        if self.patient.status == "excluded":
            return alerts
        alerts += dots_alerts(self.dots_due, today())
        if self.followup_plan is None or self.followup_profile is None:
            return alerts
        return alerts + followup_alerts(self.followup_plan, self.followup_profile, self.followup_exams, today())
