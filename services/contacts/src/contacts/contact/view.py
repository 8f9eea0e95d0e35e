"""What a contact's read and snapshot show: the rules applied to the stored facts and the examinations done."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from tbms_contracts.contacts import (
    ContactSnapshot,
    Deadline,
    ExamSnapshot,
    ExposureSnapshot,
    RecommendationSnapshot,
)

from contacts.code_list.book import CodeBook
from contacts.contact import rules
from contacts.contact.models import Contact, ContactLink
from contacts.contact.schemas import ContactRead, DueRead, ExposureRead, JudgementRead, PriorityRead
from contacts.exam.models import Exam
from contacts.exam.schemas import ExamRead, results_of
from contacts.recommendation.models import Recommendation
from contacts.recommendation.schemas import DELIVERY_LABELS, RecommendationRead

BUILT_IN = CodeBook()  # the built-in lists, for a read that has not loaded the コード表 (derived columns)
DEFAULT_RULES = rules.ScreeningRules()
DUE_LABELS = {"igra": "IGRA", "tst": "ツベルクリン反応", "xray": "胸部X線"}
EARLY_DAYS = {
    "igra": 0,
    "tst": 0,
    "xray": 31,
}  # an IGRA before the window proves nothing; an X-ray a month early counts
OPEN = ("due", "overdue")


def person_of(contact: Contact) -> rules.Person:
    """The contact as the rules see it."""
    return rules.Person(contact.birth_date, frozenset(contact.risk_factors), contact.symptomatic)


def exposure_of(link: ContactLink, book: CodeBook = BUILT_IN) -> rules.Exposure:
    """An exposure as the rules see it, its setting named as the コード表 names it."""
    return rules.Exposure(
        link.setting,
        link.last_contact_on,
        link.hours,
        link.closed_room,
        link.poor_ventilation,
        link.infectiousness,
        book.label("contact_setting", link.setting),
    )


def first_positive(exams: Sequence[Exam], screening: rules.ScreeningRules = DEFAULT_RULES) -> date | None:
    """The day of the first positive IGRA or TST (or sputum) done, which calls for an X-ray at once; a kind without
    a rule (added in マスタ管理) never counts."""
    counted = {"igra", "tst", "sputum"}
    days = [
        e.done_on
        for e in exams
        if e.status == "done" and e.done_on and screening.exam_rules.get(e.kind) in counted and e.result == "positive"
    ]
    return min(days, default=None)


def plan_status(
    dues: Sequence[rules.Due],
    exams: Sequence[Exam],
    *,
    today: date,
    ended: bool,
    screening: rules.ScreeningRules = DEFAULT_RULES,
) -> list[DueRead]:
    """Each planned examination matched to one done in its window (of a kind whose rule is the plan's), else due,
    overdue, or no longer needed."""
    done = sorted((e for e in exams if e.status == "done" and e.done_on), key=lambda e: e.done_on or today)
    positive = first_positive(exams, screening) is not None
    used: set[uuid.UUID] = set()
    read = []
    for i, due in enumerate(dues):
        kinds, early = rules.exam_codes(due.kind, screening), timedelta(days=EARLY_DAYS[due.kind])
        later = [d.on for d in dues[i + 1 :] if d.kind == due.kind and d.on > due.on]
        until = min(later) - early if later else None
        match = next(
            (
                e
                for e in done
                if e.kind in kinds
                and e.id not in used
                and e.done_on
                and e.done_on >= due.on - early
                and (until is None or e.done_on < until)
            ),
            None,
        )
        if match:
            used.add(match.id)
            status = "done"
        elif due.kind != "xray" and positive:
            status = "not_needed"  # infection already shown: the X-ray and the outcome decide
        elif ended:
            status = "closed"
        else:
            status = "overdue" if due.on < today else "due"
        read.append(
            DueRead(
                kind=due.kind,
                label=DUE_LABELS[due.kind],
                step=due.step,
                due_on=due.on,
                why=due.why,
                basis=due.basis,
                status=status,
                exam_id=match.id if match else None,
            )
        )
    return read


def contact_read(
    contact: Contact,
    exams: Sequence[Exam],
    index_names: Mapping[uuid.UUID, str],
    institution_names: Mapping[str, str],
    screening: rules.ScreeningRules,
    today: date,
    recommendations: Sequence[Recommendation] = (),
    book: CodeBook = BUILT_IN,
) -> ContactRead:
    """The API view of a contact with the rules applied on `today`."""
    person = person_of(contact)
    exposures, suggestions = [], []
    for link in contact.links:
        exposure = exposure_of(link, book)
        cls = rules.exposure_class(person, exposure, contact.found_on, screening)
        prio = rules.priority(person, exposure, contact.found_on, screening)
        suggestions.append(prio)
        exposures.append(
            ExposureRead(
                id=link.id,
                index_patient_id=link.index_patient_id,
                index_patient_name=index_names.get(link.index_patient_id, ""),
                setting=link.setting,
                setting_label=book.label("contact_setting", link.setting),
                relation=link.relation,
                first_contact_on=link.first_contact_on,
                last_contact_on=link.last_contact_on,
                hours=link.hours,
                frequency=link.frequency,
                closed_room=link.closed_room,
                poor_ventilation=link.poor_ventilation,
                infectiousness=link.infectiousness,
                note=link.note,
                exposure_class=JudgementRead(**vars(cls)),
                priority=JudgementRead(**vars(prio)),
            )
        )
    suggested = rules.highest_priority(suggestions)
    value = contact.priority_override or (suggested.value if suggested else "")
    dues = rules.plan(
        person,
        [exposure_of(link, book) for link in contact.links],
        screening,
        found_on=contact.found_on,
        igra_positive_on=first_positive(exams, screening),
    )
    plan = plan_status(dues, exams, today=today, ended=contact.status == "ended", screening=screening)
    return ContactRead(
        **{name: getattr(contact, name) for name in _CONTACT_FIELDS},
        end_reason_label=book.label("contact_end_reason", contact.end_reason) if contact.end_reason else "",
        exposures=exposures,
        priority=PriorityRead(
            value=value,
            label=rules.PRIORITY_LABELS.get(value, ""),
            suggested=JudgementRead(**vars(suggested)) if suggested else None,
            override=contact.priority_override,
            override_reason=contact.priority_reason,
        ),
        plan=plan,
        next_due=next((d for d in plan if d.status in OPEN), None),
        exams=[exam_read(e, institution_names, book, screening) for e in exams],
        recommendations=[recommendation_read(r, book) for r in recommendations],
        patient_id=contact.patient_id,
        patient_name=index_names.get(contact.patient_id, "") if contact.patient_id else "",
    )


def recommendation_read(row: Recommendation, book: CodeBook = BUILT_IN) -> RecommendationRead:
    """A 勧告 with its Japanese labels (the examinations' from the コード表)."""
    return RecommendationRead.model_validate(row).model_copy(
        update={
            "delivery_label": DELIVERY_LABELS.get(row.delivery, row.delivery),  # type: ignore[call-overload]
            "exam_labels": [book.label("screening_exam", k) for k in row.exams],
            "status": "cancelled" if row.cancelled else "issued",
        }
    )


def exam_read(
    exam: Exam,
    institution_names: Mapping[str, str],
    book: CodeBook = BUILT_IN,
    screening: rules.ScreeningRules = DEFAULT_RULES,
) -> ExamRead:
    """An examination with its Japanese labels (its kind's from the コード表, ended or not; a result of a kind
    without a rule reads as typed) and, when coded, the institution's name from masters."""
    choices = results_of(exam.kind, screening.exam_rules)
    return ExamRead.model_validate(exam).model_copy(
        update={
            "kind_label": book.label("screening_exam", exam.kind),
            "result_label": choices.get(exam.result, "") if choices is not None else exam.result,
            "institution_name": institution_names.get(exam.institution_code, ""),
        }
    )


def snapshot(read: ContactRead) -> ContactSnapshot:
    """The event-carried state of a contact, with its open deadlines."""
    data = read.model_dump(mode="json", include=set(_CONTACT_FIELDS) - {"note"})
    return ContactSnapshot(
        **data,
        end_reason_label=read.end_reason_label,
        patient_id=str(read.patient_id) if read.patient_id else "",
        priority=read.priority.value,
        priority_suggested=read.priority.suggested.value if read.priority.suggested else "",
        exposures=[ExposureSnapshot(**e.model_dump(mode="json", include=_EXPOSURE_FIELDS)) for e in read.exposures],
        exams=[ExamSnapshot(**e.model_dump(mode="json", include=_EXAM_FIELDS)) for e in read.exams],
        recommendations=[
            RecommendationSnapshot(**r.model_dump(mode="json", include=_RECOMMENDATION_FIELDS))
            for r in read.recommendations
        ],
        deadlines=[
            Deadline(what=d.kind, step=d.step, due_on=d.due_on, why=d.why) for d in read.plan if d.status in OPEN
        ],
    )


_CONTACT_FIELDS = (
    "id",
    "version",
    "found_on",
    "name",
    "name_kana",
    "sex",
    "birth_date",
    "address",
    "phone",
    "affiliation",
    "residence",
    "municipality",
    "municipality_code",
    "risk_factors",
    "symptomatic",
    "outcome",
    "outcome_on",
    "status",
    "ended_on",
    "end_reason",
    "note",
    "nurse",
)
_EXPOSURE_FIELDS = set(ExposureSnapshot.model_fields)
_EXAM_FIELDS = set(ExamSnapshot.model_fields)
_RECOMMENDATION_FIELDS = set(RecommendationSnapshot.model_fields)
