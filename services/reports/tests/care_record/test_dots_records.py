"""DOTS records reach the reports read model as care records of their kind, so the DOTS forms print them (R07)."""

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


@pytest.mark.req("R07", partial=True)
@pytest.mark.parametrize("kind", ["dots_assessment", "dots_plan", "dots_confirmation", "dots_cohort_review"])
async def test_each_dots_kind_is_stored_with_its_items_and_labels(
    kind: str, make_care_record: MakeRecord, publish_record: Publish, care_record_of: RecordOf
) -> None:
    data = {"treatment_id": str(uuid.uuid4()), "outcome": "cured", "ltbi_checklist": {"a": {"checked": True}}}
    snapshot = make_care_record(str(uuid.uuid4()), kind, data, labels={"outcome": "治癒"})
    await publish_record(snapshot)
    record = await wait_for(lambda: care_record_of(snapshot.id), timeout=15)
    assert isinstance(record, CareRecord)
    assert (record.kind, record.data, record.labels) == (kind, data, {"outcome": "治癒"})
