"""The stamp boxes of F03 (所長・課長・係長・担当) follow the patient record's 回議 as workflow publishes it (R10):
every box prints 「未決裁」 while there is none or it is under way, the approvers' names and dates once approved (an
older event arriving late changes nothing), and a change of the record after approval is printed under the boxes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from reports.circulation_stamp.repository import CirculationStampRepository
from tbms_contracts.patients import PatientSnapshot
from tbms_contracts.workflow import CirculationChanged, StampBox
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

from ..document.test_api import pdf_text, printed

DECIDED = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 令和8年12月3日 10:00 JST


def circulation_event(circulation_id: str, patient_id: str, version: int, status: str, **changes: object) -> Envelope:
    """workflow's CirculationChanged of a 回議 on the patient's record."""
    approved = status == "approved"
    stamps = [
        StampBox(role="所長", name="検証 一郎" if approved else "", decided_at=DECIDED if approved else None,
                 on_behalf=approved, text="代決 検証 一郎" if approved else "未決裁"),
        StampBox(role="課長", name="検証 一郎" if approved else "", decided_at=DECIDED if approved else None,
                 on_behalf=approved, text="代決 検証 一郎" if approved else "未決裁"),
        StampBox(role="係長", name="検証 一郎" if approved else "", decided_at=DECIDED if approved else None,
                 text="検証 一郎" if approved else "未決裁"),
        StampBox(role="担当", name="試験 花子", decided_at=DECIDED, text="試験 花子" if approved else "未決裁"),
    ]  # fmt: skip
    event = CirculationChanged(
        circulation_id=circulation_id, kind="decision", status=status, service="patients", record_kind="patient",
        record_id=patient_id, record_version=1, title="患者の記録", approved=approved,
        stamps=stamps if approved else [StampBox(role=b.role, name=b.name, decided_at=b.decided_at) for b in stamps],
        **changes,  # type: ignore[arg-type]
    )  # fmt: skip
    return Envelope.of(event, aggregate_id=circulation_id, version=version)


async def card_text(client: httpx.AsyncClient, patient_id: str) -> str:
    """The text of a freshly printed F03 of the patient."""
    document = await printed(client, patient_id)
    response = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))
    return pdf_text(response.content)


async def applied(client: httpx.AsyncClient, patient_id: str, version: int) -> bool:
    """True once the read model holds the patient's 回議 at this version."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        row = await CirculationStampRepository(session).current("patients", "patient", patient_id)
    return row is not None and row.version == version


@pytest.mark.req("R10", partial=True)
async def test_the_card_prints_undecided_until_the_record_is_approved_then_the_approvers(
    client: httpx.AsyncClient, registered_patient: PatientSnapshot
) -> None:
    patient_id = registered_patient.id
    assert (await card_text(client, patient_id)).count("未決裁") == 4  # no 回議 yet

    circulation_id = str(uuid.uuid4())
    await publish(circulation_event(circulation_id, patient_id, 1, "in_progress"))
    await wait_for(lambda: applied(client, patient_id, 1), timeout=15)
    under_way = await card_text(client, patient_id)
    assert under_way.count("未決裁") == 4  # the drafter's box, stamped on submission, is no decision either

    await publish(circulation_event(circulation_id, patient_id, 4, "approved"))
    await wait_for(lambda: applied(client, patient_id, 4), timeout=15)
    await publish(circulation_event(circulation_id, patient_id, 2, "in_progress"))  # late and older: ignored
    await publish(circulation_event(str(uuid.uuid4()), patient_id, 1, "withdrawn"))  # a withdrawn one: not printed
    stamped = await card_text(client, patient_id)
    assert "未決裁" not in stamped, stamped
    assert stamped.count("検証 一郎") == 3 and stamped.count("代決") == 2  # 課長 and 所長 decided on their behalf
    assert "R8.12.3" in stamped and "決裁後に記録が変更されています" not in stamped

    await publish(circulation_event(circulation_id, patient_id, 5, "approved", changed_since_approval=True))
    await wait_for(lambda: applied(client, patient_id, 5), timeout=15)
    assert "決裁後に記録が変更されています" in await card_text(client, patient_id)
