"""Care records reach the reports read model through JetStream; the newest version of each record wins."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from reports.care_record.models import CareRecord
from tbms_contracts.patients import CareRecordSnapshot, LabResultSnapshot
from tbms_core.events import Envelope
from tbms_testing import wait_for

MakeRecord = Callable[..., CareRecordSnapshot]
Publish = Callable[[LabResultSnapshot | CareRecordSnapshot], Awaitable[Envelope]]
RecordOf = Callable[[str], Awaitable[CareRecord | None]]
Claimed = Callable[[uuid.UUID], Awaitable[bool]]
NOTE = {"noted_on": "2026-04-10", "kind": "visit", "text": "自宅を訪問し服薬状況を確認。", "author_name": "保健 太郎"}


async def at_version(record_of: RecordOf, record_id: str, version: int) -> CareRecord | None:
    """The record once it has reached a version, else None."""
    record = await record_of(record_id)
    return record if record is not None and record.version >= version else None


@pytest.mark.req("R09", partial=True)
@pytest.mark.req("F03")
class TestOnCareRecordSaved:
    """Treatments, hospital stays and progress notes become printable; corrections replace them in order."""

    async def test_a_new_record_reaches_the_read_model_with_its_labels(
        self, make_care_record: MakeRecord, publish_record: Publish, care_record_of: RecordOf
    ) -> None:
        patient_id = str(uuid.uuid4())
        data = {"regimen": "2HREZ/4HR", "started_on": "2026-04-08", "institution": "試験総合病院"}
        snapshot = make_care_record(patient_id, "treatment", data, labels={"regimen": "2HREZ/4HR（標準治療A法）"})
        await publish_record(snapshot)

        record = await wait_for(lambda: care_record_of(snapshot.id), timeout=15)

        assert isinstance(record, CareRecord)
        assert (str(record.patient_id), record.kind, record.version) == (patient_id, "treatment", 1)
        assert record.data == data
        assert record.labels == {"regimen": "2HREZ/4HR（標準治療A法）"}

    async def test_a_correction_replaces_the_record(
        self, make_care_record: MakeRecord, publish_record: Publish, care_record_of: RecordOf
    ) -> None:
        patient_id, record_id = str(uuid.uuid4()), uuid.uuid4()
        await publish_record(
            make_care_record(patient_id, "progress_note", NOTE, record_id, labels={"kind": "家庭訪問"})
        )
        corrected = NOTE | {"kind": "phone", "text": "電話で確認。"}
        await publish_record(
            make_care_record(patient_id, "progress_note", corrected, record_id, 2, labels={"kind": "電話"})
        )

        record = await wait_for(lambda: at_version(care_record_of, str(record_id), 2), timeout=15)

        assert (record.data["text"], record.labels) == ("電話で確認。", {"kind": "電話"})  # type: ignore[union-attr]

    async def test_an_older_snapshot_arriving_late_is_ignored(
        self, make_care_record: MakeRecord, publish_record: Publish, care_record_of: RecordOf, claimed: Claimed
    ) -> None:
        patient_id, record_id = str(uuid.uuid4()), uuid.uuid4()
        newest = NOTE | {"text": "最新"}
        await publish_record(
            make_care_record(patient_id, "progress_note", newest, record_id, 2, labels={"kind": "家庭訪問"})
        )
        await wait_for(lambda: at_version(care_record_of, str(record_id), 2), timeout=15)
        stale = await publish_record(
            make_care_record(patient_id, "progress_note", NOTE, record_id, labels={"kind": "家庭訪問"})
        )

        await wait_for(lambda: claimed(stale.event_id), timeout=15)

        record = await care_record_of(str(record_id))
        assert record is not None and (record.version, record.data["text"]) == (2, "最新")
