"""The contact page's result forms (F22 【保健所実施】結果文書, F24 照射録, F26 結果報告書): a link for each in the
screening section opens the print in a new tab, F24 only when the contact has a chest X-ray; the PDF is relayed from
reports (which files it with the contact) or refused with reports' list of what is missing."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from ...conftest import REPORTS
from .conftest import CONTACT, CONTACT_ID, mock_contact

PAGE = f"/contacts/{CONTACT_ID}"
PDF = {"content-type": "application/pdf"}


def links(html: str) -> dict[str, str]:
    """The screening forms' links: form id → the whole <a> tag with its text."""
    found = re.findall(r'(<a href="/contacts/[^"]+/forms/(F2\d)"[^>]*>.*?</a>)', html)
    return {form: tag for tag, form in found}


@pytest.mark.req("F22", "F24", "F26", partial=True)
async def test_the_result_forms_are_linked_to_open_in_a_new_tab(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    assert any(e["kind"] == "xray" for e in CONTACT["exams"])
    mock_contact(backends, CONTACT)
    shown = links((await browser.get(PAGE)).text)
    assert {"F21", "F22", "F23", "F24", "F26"} <= set(shown)
    for form in ("F22", "F24", "F26"):
        assert 'target="_blank"' in shown[form] and "（新しいタブで開きます）" in shown[form], shown[form]
    assert (
        "照射録（F24）を印刷" in shown["F24"]
        and "【保健所実施】" in shown["F22"]
        and "【医療機関実施】" in shown["F26"]
    )
    no_xray = CONTACT | {"exams": [e for e in CONTACT["exams"] if e["kind"] != "xray"]}
    assert no_xray["exams"], "an IGRA, no X-ray"
    mock_contact(backends, no_xray)
    without = links((await browser.get(PAGE)).text)
    assert "F22" in without and "F24" not in without


@pytest.mark.req("F22", "F24", "F26", partial=True)
async def test_the_result_forms_are_relayed_from_reports_or_refused_with_what_is_missing(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    for form in ("F22", "F24", "F26"):
        route = backends.get(f"{REPORTS}/contact-forms/{CONTACT_ID}/{form}").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7", headers=PDF)
        )
        answer = await browser.get(f"{PAGE}/forms/{form}")
        assert answer.status_code == 200 and answer.content == b"%PDF-1.7" and route.called, form
    missing = {
        "detail": "印刷に必要な項目が入力されていません。（保健所で撮影した胸部X線検査（実施日））",
        "errors": {},
    }
    backends.get(f"{REPORTS}/contact-forms/{CONTACT_ID}/F24").mock(return_value=httpx.Response(422, json=missing))
    refused = await browser.get(f"{PAGE}/forms/F24")
    assert refused.status_code == 400 and "保健所で撮影した胸部X線検査" in refused.text
    assert (await browser.get(f"{PAGE}/forms/F27")).status_code == 404
