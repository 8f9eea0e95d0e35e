"""管理検診: the plan and its schedule, recording each examination, the clerk's lists and the 登録除外 proposal,
with access checks, history, audit and outbox events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import FollowupExamSaved, FollowupExamSnapshot, VersionPage
from tbms_core import audit, outbox, read_models
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.clock import today
from tbms_core.dates import add_months
from tbms_core.errors import InvalidInput, field_errors
from tbms_core.events import Envelope

from patients.followup.errors import NoExclusionProposed
from patients.followup.models import FollowupExam, FollowupPlan
from patients.followup.repository import FollowupExamRepository, FollowupPlanRepository
from patients.followup.rules import Profile, exam_status, exclusion_proposal, period_end, profile_key, schedule
from patients.followup.schemas import (
    VIEWS,
    ExamChange,
    ExamRead,
    ExamUpdate,
    ExclusionConfirm,
    FollowupListPage,
    FollowupListRow,
    FollowupRead,
    PlanRead,
    PlanSave,
    ProfileRead,
    ProposalRead,
    inconsistencies,
    labels_of,
    status_label,
)
from patients.followup.settings_service import FollowupSettings
from patients.history.service import HistoryService
from patients.patient.models import Patient
from patients.patient.repository import PatientRepository
from patients.patient.schemas import ExclusionCreate
from patients.patient.service import PatientService

SERVICE = "patients"
NOTICE_LEAD_MONTHS = 1  # a notice goes out in the month before the exam falls due
EXAM_ITEMS = tuple(ExamUpdate.model_fields)


def exam_read(exam: FollowupExam, on: date) -> ExamRead:
    """An examination as the API shows it, with its status on a day."""
    status = exam_status(
        cancelled=exam.cancelled,
        due_on=exam.due_on,
        examined_on=exam.examined_on,
        judgement=exam.judgement,
        appointment_on=exam.appointment_on,
        today=on,
    )
    values = {name: getattr(exam, name) for name in EXAM_ITEMS}
    return ExamRead.model_validate(exam).model_copy(
        update={"status": status, "status_label": status_label(status), "labels": labels_of(values)}
    )


def exam_snapshot(exam: FollowupExam, plan: FollowupPlan | None, profile: Profile | None) -> FollowupExamSnapshot:
    """An examination as FollowupExamSaved carries it: with the end of treatment its plan counts from and the
    schedule (profile) behind its due date."""
    values = {name: to_jsonable_python(getattr(exam, name)) for name in EXAM_ITEMS}
    return FollowupExamSnapshot(
        id=str(exam.id),
        patient_id=str(exam.patient_id),
        version=exam.version,
        seq=exam.seq,
        due_on=exam.due_on,
        reason=exam.reason,
        profile=profile.key if profile else "",
        profile_label=profile.label if profile else "",
        basis=profile.basis if profile else "",
        ended_on=plan.ended_on if plan else None,
        cancelled=exam.cancelled,
        data=values,
        labels=labels_of(values),
    )


class FollowupService:
    """What staff do with a patient's follow-up examinations, and the clerk's lists."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)
        self.plans = FollowupPlanRepository(session)
        self.exams = FollowupExamRepository(session)
        self.edit_history = HistoryService(session, principal)
        self.configured = FollowupSettings(session)

    async def patient_to_record_for(self, patient_id: uuid.UUID) -> Patient:
        """The patient, once the user may record (403) and the patient exists (404)."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        return await self.patients.get(patient_id)

    def _may_hand_out(self) -> None:
        """Every patient's examinations, for an administrator's rebuild of a read model elsewhere."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)

    async def snapshots(self, after: uuid.UUID | None, limit: int) -> list[FollowupExamSnapshot]:
        """Every examination's current snapshot after `after` in id order, as its events carry it: what reports'
        管理検診 read model is rebuilt from (`tbms replay reports`). Changes nothing."""
        self._may_hand_out()
        found = await self._snapshots(await self.exams.page_after(after, limit))
        return await read_models.handed_out(self.session, self.principal, SERVICE, "followup-exams", found, named=False)

    async def snapshots_of(self, exam_ids: list[uuid.UUID]) -> list[FollowupExamSnapshot]:
        """The current snapshots of the examinations named that exist, in id order (`tbms reconcile` repairs
        drift)."""
        self._may_hand_out()
        found = await self._snapshots(await self.exams.having(exam_ids))
        return await read_models.handed_out(self.session, self.principal, SERVICE, "followup-exams", found, named=True)

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """Every examination's id and current version after `after`, in id order; changes nothing."""
        self._may_hand_out()
        return await read_models.version_page(self.session, FollowupExam.id, FollowupExam.version, after, limit)

    async def _snapshots(self, exams: list[FollowupExam]) -> list[FollowupExamSnapshot]:
        """The exams with their patients' plans and the schedules in force, as `_publish` sends them."""
        plans = await self.plans.of_patients({exam.patient_id for exam in exams})
        profiles = await self.configured.profiles()
        found = []
        for exam in exams:
            plan = plans.get(exam.patient_id)
            profile = (profiles.get(plan.profile) or profiles["standard"]) if plan else None
            found.append(exam_snapshot(exam, plan, profile))
        return found

    async def view(self, patient_id: uuid.UUID) -> FollowupRead:
        """The patient's plan, schedule, exams and proposal (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="followup", person_id=patient.id
        )
        return await self.read_model(patient)

    async def read_model(self, patient: Patient) -> FollowupRead:
        """What the patient's 管理検診 section shows, judged on Japan's today."""
        on = today()
        plan = await self.plans.of(patient.id)
        exams = [exam_read(exam, on) for exam in await self.exams.in_order(patient.id)]
        ended = await self.plans.last_treatment_end(patient.id)
        if plan is None:
            return FollowupRead(
                plan=None, profile=None, period_end=None, exams=exams, next_due=None, proposal=None,
                treatment_ended_on=ended,
            )  # fmt: skip
        profile = await self.configured.profile(plan.profile)
        live = [exam for exam in exams if exam.status != "cancelled"]
        proposal = exclusion_proposal(plan.ended_on, profile, [exam.judgement for exam in live], on)
        if patient.status == "excluded":
            proposal = None
        return FollowupRead(
            plan=PlanRead.model_validate(plan),
            profile=ProfileRead(
                key=profile.key,
                label=profile.label,
                months=list(profile.months),
                period_months=profile.period_months,
                basis=profile.basis,
            ),
            period_end=period_end(plan.ended_on, profile),
            exams=exams,
            next_due=next((exam for exam in live if exam.status not in ("done", "result_missing")), None),
            proposal=ProposalRead(**proposal.__dict__) if proposal else None,
            treatment_ended_on=ended,
        )

    async def save_plan(self, patient_id: uuid.UUID, data: PlanSave) -> FollowupRead:
        """Creates or changes the plan and recomputes the dates of the exams not yet done."""
        patient = await self.patient_to_record_for(patient_id)
        plan = await self.plans.of(patient.id)
        if plan is not None:
            if data.version is None:
                raise InvalidInput(errors={"version": "計画の版がありません。画面を開き直してください。"})
            plan.check_version(data.version)
        ended_on = data.ended_on or (plan.ended_on if plan else None) or await self.plans.last_treatment_end(patient.id)
        if ended_on is None:
            raise InvalidInput(errors={"ended_on": "治療終了日を入力してください（治療の記録に終了日がありません）。"})
        ltbi = data.ltbi if data.ltbi is not None else (plan.ltbi if plan else patient.category == "ltbi")
        values: dict[str, Any] = {
            "ended_on": ended_on,
            "ltbi": ltbi,
            "risk_factors": data.risk_factors,
            "profile": profile_key(ltbi=ltbi, high_risk=bool(data.risk_factors)),
            "note": data.note,
        }
        if plan is None:
            plan = await self.plans.add(
                FollowupPlan(**values, patient_id=patient.id, updated_by=self.principal.user_id)
            )
            await self.edit_history.record_change(
                record_type="followup_plan",
                record_id=plan.id,
                person_id=patient.id,
                version=plan.version,
                changes=diff({}, to_jsonable_python(values)),
                reason=data.reason,
            )
            await self._audit(Operation.CREATE, "followup_plan", plan.id, patient.id)
        else:
            before = {name: to_jsonable_python(getattr(plan, name)) for name in values}
            changes = diff(before, to_jsonable_python(values))
            if changes:
                await self.edit_history.save_change(
                    plan,
                    assignments={name: values[name] for name in {c.split(".")[0] for c in changes}},
                    record_type="followup_plan",
                    person_id=patient.id,
                    changes=changes,
                    reason=data.reason,
                )
                await self._audit(Operation.UPDATE, "followup_plan", plan.id, patient.id)
        await self._reschedule(plan, data.reason)
        return await self.read_model(patient)

    async def follow_treatment_end(self, patient_id: uuid.UUID, before: date | None, after: date | None) -> None:
        """A treatment's end date was recorded or changed: a plan that counted from the old date (or none, when this
        is the patient's latest end) now counts from the new one and its open exams move with it."""
        if after is None or after == before or after > today():
            return
        if after != await self.plans.last_treatment_end(patient_id):
            return
        plan = await self.plans.of(patient_id)
        if plan is None:
            await self.save_plan(patient_id, PlanSave(ended_on=after, reason="治療終了日の入力"))
        elif plan.ended_on == before:
            await self.save_plan(
                patient_id,
                PlanSave(
                    version=plan.version,
                    ended_on=after,
                    risk_factors=plan.risk_factors,
                    note=plan.note,
                    reason="治療終了日の変更",
                ),
            )

    async def follow_schedules(self, keys: set[str], reason: str) -> tuple[int, int]:
        """A schedule's intervals changed in the settings: the open exams of every registered patient's plan on it move
        at once to the new dates (new ones added, surplus ones cancelled; done exams never move), each change in the
        exam's history with `reason`. Returns (plans changed, exams changed)."""
        plans = exams = 0
        for plan in await self.plans.on_schedules(keys):
            moved = await self._reschedule(plan, reason)
            plans, exams = plans + (1 if moved else 0), exams + moved
        return plans, exams

    async def _reschedule(self, plan: FollowupPlan, reason: str) -> int:
        """Moves the exams not yet done to the dates of the schedule; adds new ones; cancels those it no longer has.
        Returns how many exams were added or changed."""
        profile = await self.configured.profile(plan.profile)
        touched = 0
        existing = {exam.seq: exam for exam in await self.exams.in_order(plan.patient_id)}
        wanted = {due.seq: due for due in schedule(plan.ended_on, profile)}
        for seq, due in wanted.items():
            exam = existing.get(seq)
            if exam is None:
                exam = await self.exams.add(
                    FollowupExam(
                        patient_id=plan.patient_id,
                        seq=seq,
                        due_on=due.due_on,
                        months=due.months,
                        reason=due.reason,
                        updated_by=self.principal.user_id,
                    )
                )
                await self._publish(exam, plan, created=True, changed=[])
                touched += 1
                continue
            if exam.examined_on or exam.judgement:
                continue  # done: its date is history
            touched += await self._change(
                exam,
                plan,
                {"due_on": due.due_on, "months": due.months, "reason": due.reason, "cancelled": False},
                reason,
            )
        for seq, exam in existing.items():
            if seq not in wanted and not (exam.examined_on or exam.judgement) and not exam.cancelled:
                touched += await self._change(exam, plan, {"cancelled": True}, reason or "計画の変更で不要になった")
        return touched

    async def _change(self, exam: FollowupExam, plan: FollowupPlan, values: dict[str, Any], reason: str) -> bool:
        before = {name: to_jsonable_python(getattr(exam, name)) for name in values}
        changes = diff(before, to_jsonable_python(values))
        if not changes:
            return False
        await self.edit_history.save_change(
            exam,
            assignments={name: values[name] for name in {c.split(".")[0] for c in changes}},
            record_type="followup_exam",
            person_id=exam.patient_id,
            changes=changes,
            reason=reason,
        )
        await self._publish(exam, plan, created=False, changed=sorted(changes))
        await self._audit(Operation.UPDATE, "followup_exam", exam.id, exam.patient_id)
        return True

    async def record_exam(self, patient_id: uuid.UUID, exam_id: uuid.UUID, data: ExamChange) -> ExamRead:
        """Records a notice, appointment, result, judgement or outreach (409 when somebody saved first)."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        exam = await self.exams.get_of_patient(patient_id, exam_id)
        exam.check_version(data.version)
        values = data.changes.model_dump(exclude_unset=True)
        values = {k: ("" if v is None and isinstance(getattr(exam, k), str) else v) for k, v in values.items()}
        whole = {name: getattr(exam, name) for name in EXAM_ITEMS} | values
        try:
            errors = inconsistencies(ExamUpdate.model_validate({k: v for k, v in whole.items() if v not in (None, "")}))
        except ValidationError as exc:
            raise InvalidInput(errors=field_errors(RequestValidationError(exc.errors()))) from exc
        if errors:
            raise InvalidInput(errors=errors)
        plan = await self.plans.of(patient_id)
        await self._change(exam, plan, values, data.reason)  # type: ignore[arg-type]
        return exam_read(exam, today())

    async def confirm_exclusion(self, patient_id: uuid.UUID, data: ExclusionConfirm) -> FollowupRead:
        """The nurse confirms the proposed 登録除外 (経過観察終了); refused while none is proposed."""
        patient = await self.patient_to_record_for(patient_id)
        followup = await self.read_model(patient)
        if followup.proposal is None or not followup.proposal.propose_exclusion:
            message = followup.proposal.message if followup.proposal else "経過観察期間が終わっていません。"
            raise NoExclusionProposed(message)
        exclusion = ExclusionCreate(
            version=data.version, excluded_on=today(), reason="followup_ended", note=data.note or "経過観察終了"
        )
        await PatientService(self.session, self.principal).exclude(patient.id, exclusion)
        return await self.read_model(patient)

    async def listing(
        self, view: str, month: str | None, *, district: str = "", limit: int = 100, offset: int = 0
    ) -> FollowupListPage:
        """The clerk's list for a month (YYYY-MM, this month by default)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        if view not in VIEWS:
            raise InvalidInput(errors={"view": "一覧の種類が選択肢にありません。"})
        on = today()
        try:
            first = date.fromisoformat(f"{month}-01") if month else on.replace(day=1)
        except ValueError as exc:
            raise InvalidInput(errors={"month": "月は 2026-04 の形で入力してください。"}) from exc
        last = add_months(first, 1).replace(day=1)
        last = date.fromordinal(last.toordinal() - 1)
        if view == "notices":
            last = add_months(last, NOTICE_LEAD_MONTHS)
        rows, total = await self.exams.listing(view, first, last, on, district=district, limit=limit, offset=offset)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.SEARCH, record_type="followup_list", query=view
        )
        return FollowupListPage(
            view=view,
            view_label=VIEWS[view],
            month=first.strftime("%Y-%m"),
            total=total,
            items=[
                FollowupListRow(
                    patient_id=patient.id,
                    registration_no=patient.registration_no,
                    name=patient.name,
                    district=patient.district,
                    nurse=patient.nurse,
                    exam=exam_read(exam, on),
                )
                for exam, patient in rows
            ],
        )

    async def _publish(
        self, exam: FollowupExam, plan: FollowupPlan | None, *, created: bool, changed: list[str]
    ) -> None:
        profile = await self.configured.profile(plan.profile) if plan else None
        snapshot = exam_snapshot(exam, plan, profile)
        event = FollowupExamSaved(followup_exam=snapshot, created=created, changed_fields=changed)
        envelope = Envelope.of(event, aggregate_id=exam.id, version=exam.version, actor=self.principal.user_id)
        await outbox.add(self.session, envelope)

    async def _audit(self, operation: Operation, record_type: str, record_id: uuid.UUID, person_id: uuid.UUID) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=record_type,
            record_id=record_id,
            person_id=person_id,
        )
