"""Every form with approval boxes (所長・課長・係長・担当) prints them through one mechanism (R10, R16): the approvers'
names and dates once the record's 回議 is approved, 「未決裁」 in every box of a draft; a letter has no boxes.
Set $TBMS_SHOTS to also get a PNG of an approved and a draft first page to look at."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from reports.circulation_stamp.repository import CirculationStampRepository
from reports.circulation_stamp.stamps import PrintedBox, Stamps
from reports.contact_form.forms import ContactFormInput
from reports.contact_form.registry import ALL_CONTACT_FORMS
from reports.forms.registry import FORMS
from reports.forms.render import FormRenderer
from reports.forms.spec import FormInput, FormSpec
from tbms_contracts.workflow import CirculationChanged, StampBox
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

from ..contact_form.test_api import arrived, contact, keep_png, pdf_text
from ..forms.test_dots_forms import PRINTED_AT, patient
from .test_stamps import DECIDED

APPROVED = Stamps(
    [
        PrintedBox("所長", "検証 一郎", "R8.12.3"),
        PrintedBox("課長", "検証 二郎", "R8.12.3", on_behalf=True),
        PrintedBox("係長", "検証 三郎", "R8.12.2"),
        PrintedBox("担当", "保健 花子", "R8.12.1"),
    ],
    approved=True,
)
WITH_BOXES = sorted(
    spec.id for spec in (*FORMS.values(), *ALL_CONTACT_FORMS.values()) if spec.stamp_boxes
)  # fmt: skip


@pytest.fixture(scope="module")
def renderer() -> Any:
    renderer = FormRenderer()
    yield renderer
    renderer.close()


def spec_of(form_id: str) -> FormSpec:
    return FORMS.get(form_id) or ALL_CONTACT_FORMS[form_id]


def form_input(spec: FormSpec, stamps: Stamps | None) -> Any:
    """A synthetic input of the form's kind: a patient's records, or a contact (F05: the index patient's list)."""
    if spec.id in FORMS:
        data = FormInput(patient(), PRINTED_AT, "保健 花子")
    else:
        person = contact(str(uuid.uuid4())).model_dump(mode="json")
        data = ContactFormInput(
            sender="世田谷保健所長",
            printed_at=PRINTED_AT,
            printed_by="保健 花子",
            contact=person,
            contacts=[person],
            index={"id": str(uuid.uuid4()), "name": "見本 三郎", "name_kana": "ミホン サブロウ"},
        )
    return data if stamps is None else replace(data, stamps=stamps)


def test_the_forms_with_boxes_are_the_records_kept_at_the_health_center() -> None:
    assert WITH_BOXES == ["F01", "F02", "F03", "F04", "F05", "F06", "F07", "F08", "F21", "F23"]


@pytest.mark.req("R10", partial=True)
@pytest.mark.req("R16", partial=True)
@pytest.mark.parametrize("form_id", WITH_BOXES)
def test_an_approved_form_prints_the_approvers_and_a_draft_prints_undecided(form_id: str, renderer: Any) -> None:
    spec = spec_of(form_id)
    draft = renderer.render_pdf_sync(spec, form_input(spec, None))
    approved = renderer.render_pdf_sync(spec, form_input(spec, APPROVED))
    keep_png(draft, f"stamps-{form_id.lower()}-draft")
    keep_png(approved, f"stamps-{form_id.lower()}-approved")

    draft_text, approved_text = pdf_text(draft), pdf_text(approved)
    assert draft_text.count("未決裁") == 4, draft_text
    assert "検証一郎" not in draft_text
    assert "未決裁" not in approved_text, approved_text
    for printed in ("所長", "課長", "係長", "担当", "検証一郎", "代決", "検証二郎", "検証三郎", "R8.12.3", "R8.12.2"):
        assert printed in approved_text, printed


@pytest.mark.parametrize("form_id", ["F18", "F19", "F22", "F24", "F26"])
def test_a_letter_or_slip_has_no_boxes(form_id: str, renderer: Any) -> None:
    spec = spec_of(form_id)
    text = pdf_text(renderer.render_pdf_sync(spec, form_input(spec, None)))
    assert "未決裁" not in text and "所長課長係長担当" not in text


@pytest.mark.req("R16", partial=True)
async def test_a_contact_form_prints_the_stamps_of_the_contacts_circulation(client: Any) -> None:
    person = contact(str(uuid.uuid4()), risk_factors=["diabetes"])
    await arrived(client, person)

    async def f23() -> str:
        answer = await client.get(f"/contact-forms/{person.id}/F23", headers=auth_headers("nurse1"))
        assert answer.status_code == 200, answer.text
        return pdf_text(answer.content)

    assert (await f23()).count("未決裁") == 4  # not in circulation yet

    circulation_id = str(uuid.uuid4())
    boxes = [
        StampBox(role=role, name=name, decided_at=DECIDED, text=name)
        for role, name in (("所長", "検証 一郎"), ("課長", "検証 二郎"), ("係長", "検証 三郎"), ("担当", "保健 花子"))
    ]
    event = CirculationChanged(
        circulation_id=circulation_id, kind="decision", status="approved", service="contacts", record_kind="contact",
        record_id=person.id, record_version=person.version, title="接触者の記録", approved=True, stamps=boxes,
    )  # fmt: skip
    await publish(Envelope.of(event, aggregate_id=circulation_id, version=3))
    await wait_for(lambda: applied_to(client, person.id, 3), timeout=15)
    stamped = await f23()
    assert "未決裁" not in stamped, stamped
    assert "検証一郎" in stamped and "検証三郎" in stamped and "R8.12.3" in stamped


async def applied_to(client: Any, contact_id: str, version: int) -> bool:
    """True once reports holds the contact's 回議 at this version."""
    async with client.app.state.db.session() as session:
        row = await CirculationStampRepository(session).current("contacts", "contact", contact_id)
    return row is not None and row.version == version
