"""The approved copy of a filed form (R10): when workflow publishes the approval of a 回議 of the document itself,
reports stores the PDF with the approvers in its stamp boxes as the document's new version (the version first
printed stays readable); the event arriving twice files one copy, and a form without boxes gets them in its margin."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from reports.circulation_stamp.models import CirculationStamp
from reports.circulation_stamp.stamps import PrintedBox, Stamps
from reports.document.approved_copy import OVERLAY_CSS, box_spots, laid_over, overlay_html
from reports.document.models import Document
from reports.forms.render import FormRenderer
from tbms_contracts.patients import PatientSnapshot
from tbms_contracts.workflow import CirculationChanged, StampBox
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

from ..contact_form.test_api import keep_png
from .test_api import pdf_text, printed

DECIDED = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 令和8年12月3日 10:00 JST
ROUTE = (
    ("担当", "試験 花子", False),
    ("係長", "検証 三郎", False),
    ("課長", "検証 二郎", True),
    ("所長", "検証 一郎", False),
)


def document_circulation(document_id: str, circulation_id: str, version: int, status: str) -> Envelope:
    """workflow's CirculationChanged of a 回議 of the printed document itself (service reports, kind document)."""
    approved = status == "approved"
    stamps = [
        StampBox(role=role, name=name if approved else "", decided_at=DECIDED if approved else None,
                 on_behalf=on_behalf and approved)
        for role, name, on_behalf in ROUTE
    ]  # fmt: skip
    event = CirculationChanged(
        circulation_id=circulation_id, kind="decision", status=status, service="reports", record_kind="document",
        record_id=document_id, record_version=1, title="結核登録票", approved=approved, stamps=stamps,
    )  # fmt: skip
    return Envelope.of(event, aggregate_id=circulation_id, version=version)


async def stored(client: httpx.AsyncClient, document_id: str) -> Document:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        document = await session.get(Document, uuid.UUID(document_id))
    assert document is not None
    return document


async def content(client: httpx.AsyncClient, document_id: str) -> str:
    response = await client.get(f"/documents/{document_id}/content", headers=auth_headers("nurse1"))
    assert response.status_code == 200, response.text
    return pdf_text(response.content)


@pytest.mark.req("R10", partial=True)
async def test_an_approved_document_is_filed_again_with_its_approvers_stamped(
    client: httpx.AsyncClient, registered_patient: PatientSnapshot
) -> None:
    document = await printed(client, registered_patient.id)
    document_id = str(document["id"])
    assert (await content(client, document_id)).count("未決裁") == 4

    circulation_id = str(uuid.uuid4())
    await publish(document_circulation(document_id, circulation_id, 1, "in_progress"))
    await publish(document_circulation(document_id, circulation_id, 4, "approved"))

    async def stamped() -> bool:
        return (await stored(client, document_id)).approved_circulation_id == circulation_id

    await wait_for(stamped, timeout=20)
    copy = await stored(client, document_id)
    assert copy.original_version_id == document["version_id"] and copy.version_id != document["version_id"]
    text = "".join((await content(client, document_id)).split())
    for name in ("検証一郎", "代決", "検証二郎", "検証三郎", "試験花子", "R8.12.3", "決裁済み（令和8年12月3日）"):
        assert name in text, name
    keep_png(
        copy_pdf := (await client.get(f"/documents/{document_id}/content", headers=auth_headers("nurse1"))).content,
        "approved-copy-f03",
    )
    assert copy_pdf.startswith(b"%PDF")
    store = client.app.state.store  # type: ignore[attr-defined]
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        original = await store.read(copy.object_key, copy.original_version_id, session=session)
    assert pdf_text(original).count("未決裁") == 4  # the version first printed stays as it was
    assert await store.is_sealed(copy.object_key, copy.version_id), "the copy is sealed with the patient's key too"

    await publish(document_circulation(document_id, circulation_id, 4, "approved"))  # the same event again
    await publish(document_circulation(document_id, circulation_id, 5, "approved"))  # a later one of the same 回議
    marker = str(uuid.uuid4())
    await publish(document_circulation(str(uuid.uuid4()), marker, 1, "in_progress"))  # consumed after them

    async def passed() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await session.get(CirculationStamp, marker) is not None

    await wait_for(passed, timeout=20)
    assert (await stored(client, document_id)).version_id == copy.version_id  # no second copy


async def test_a_form_without_boxes_gets_them_in_its_margin() -> None:
    renderer = FormRenderer()
    try:
        letter = '<!DOCTYPE html><html lang="ja"><body><p>見本の通知</p></body></html>'
        original = await renderer.render_page(letter, "@page { size: A4; margin: 12mm 13mm; }")
        assert box_spots(original) == []
        stamps = Stamps([PrintedBox("所長", "検証 一郎", "R8.12.3"), PrintedBox("担当", "保健 花子", "R8.12.1")])
        copy = laid_over(original, await renderer.render_page(overlay_html([], stamps, "令和8年12月3日"), OVERLAY_CSS))
    finally:
        renderer.close()
    text = pdf_text(copy, "-layout")
    assert "見本の通知" in text and "所長" in text and "検証 一郎" in text and "R8.12.3" in text
    assert "決裁済み（令和8年12月3日）" in text and "未決裁" not in text
    keep_png(copy, "approved-copy-margin")
