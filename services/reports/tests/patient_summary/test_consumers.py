"""The read model follows the patients service's events through JetStream; the newest snapshot wins."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from reports.patient_summary.models import PatientSummary
from tbms_contracts.patients import PatientSnapshot
from tbms_core.events import Envelope
from tbms_testing import wait_for

SummaryOf = Callable[[str], Awaitable[PatientSummary | None]]
MakePatient = Callable[..., PatientSnapshot]
Publish = Callable[[PatientSnapshot], Awaitable[Envelope]]
Claimed = Callable[[uuid.UUID], Awaitable[bool]]


async def at_version(summary_of: SummaryOf, patient_id: str, version: int) -> PatientSummary | None:
    """The summary once it has reached a version, else None."""
    summary = await summary_of(patient_id)
    return summary if summary is not None and summary.version >= version else None


class TestOnPatientRegistered:
    """A registration becomes printable."""

    async def test_a_registered_patient_reaches_the_read_model(
        self, make_patient: MakePatient, publish_patient: Publish, summary_of: SummaryOf
    ) -> None:
        snapshot = make_patient(excluded_on=None, status="active")
        await publish_patient(snapshot)

        summary = await wait_for(lambda: summary_of(snapshot.id), timeout=15)

        assert isinstance(summary, PatientSummary)
        assert (summary.name, summary.name_kana, summary.registration_no) == (
            "試験 花子",
            "シケン ハナコ",
            snapshot.registration_no,
        )
        assert (summary.birth_date, summary.sex, summary.version) == (date(1970, 3, 1), "female", 1)

    @pytest.mark.req("R09", partial=True)
    @pytest.mark.req("F03")
    async def test_the_cards_sections_are_kept_for_the_forms(
        self, make_patient: MakePatient, publish_patient: Publish, summary_of: SummaryOf, card: dict[str, object]
    ) -> None:
        snapshot = make_patient(**card)
        await publish_patient(snapshot)

        summary = await wait_for(lambda: summary_of(snapshot.id), timeout=15)

        kept = summary.card  # type: ignore[attr-defined]
        assert kept["occupation"] == "healthcare" and kept["gakkai"] == "bII2"
        assert kept["notification"]["doctor_name"] == "届出 医師"
        assert kept["notification"]["notified_on"] == "2026-04-06"
        assert kept["disease"]["extrapulmonary_sites"] == ["pleura"]
        assert kept["clinical"]["risk_factors"] == ["diabetes"]


class TestOnPatientUpdated:
    """Changes replace the summary only when they are newer than what is held."""

    async def test_a_newer_snapshot_replaces_the_summary(
        self, make_patient: MakePatient, publish_patient: Publish, summary_of: SummaryOf
    ) -> None:
        patient_id = uuid.uuid4()
        first = make_patient(patient_id)
        await publish_patient(first)
        await publish_patient(
            make_patient(patient_id, version=2, registration_no=first.registration_no, address="転居先")
        )

        summary = await wait_for(lambda: at_version(summary_of, str(patient_id), 2), timeout=15)

        assert summary.address == "転居先"  # type: ignore[attr-defined]

    async def test_an_older_snapshot_arriving_late_is_ignored(
        self,
        make_patient: MakePatient,
        publish_patient: Publish,
        summary_of: SummaryOf,
        claimed: Claimed,
    ) -> None:
        patient_id = uuid.uuid4()
        first = make_patient(patient_id)
        number = first.registration_no
        await publish_patient(first)
        await publish_patient(make_patient(patient_id, version=3, registration_no=number, address="最新"))
        await wait_for(lambda: at_version(summary_of, str(patient_id), 3), timeout=15)
        stale = make_patient(patient_id, version=2, registration_no=number, address="古い住所")
        envelope = await publish_patient(stale)

        await wait_for(lambda: claimed(envelope.event_id), timeout=15)

        summary = await summary_of(str(patient_id))
        assert summary is not None and (summary.version, summary.address) == (3, "最新")
