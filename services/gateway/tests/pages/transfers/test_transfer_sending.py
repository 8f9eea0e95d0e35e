"""転出先への送付 (施行規則27条の8; N32, R14): on a 転出, the patient's filed documents are ticked into an encrypted
file whose key is shown once, and the sending (method, date, recipient, documents, key channel) is recorded and then
shown on the patient page; refusals stay beside their fields; axe finds nothing on the page."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import (
    PATIENT,
    PATIENT_ID,
    PATIENTS,
    REPORTS,
    Login,
    csrf_token,
    logged_in_chromium,
    mock_patient_page,
    text_of,
)

MOVE_ID = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
DOC_ID = "11111111-2222-4333-8444-555555555555"
PACKAGE_ID = "99999999-8888-4777-8666-555555555555"
SHA = "3f" * 32
MOVE = {
    "id": MOVE_ID,
    "patient_id": PATIENT_ID,
    "version": 1,
    "updated_at": "2026-11-02T01:00:00Z",
    "updated_by": "nurse1",
    "data": {
        "direction": "out",
        "moved_on": "2026-11-02",
        "counterpart": "試験市保健所",
        "counterpart_code": "",
        "address": "",
        "card_sent_on": None,
        "note": "",
    },
    "labels": {"direction": "転出"},
    "sendings": [],
}
SENDING = {
    "id": "abababab-abab-4bab-8bab-abababababab",
    "transfer_id": MOVE_ID,
    "documents": ["registration_card", "record_summary"],
    "other_documents": "",
    "recipient": "試験市保健所",
    "method": "electronic",
    "sent_on": "2026-11-04",
    "package_id": PACKAGE_ID,
    "package_sha256": SHA,
    "key_channel": "phone",
    "key_sent_on": "2026-11-04",
    "note": "",
    "sent_by": "nurse1",
    "sent_by_name": "試験 看護",
    "recorded_at": "2026-11-04T02:00:00Z",
    "labels": {"documents": "登録票・記録の要約", "method": "電子ファイル（暗号化）", "key_channel": "電話で伝達"},
}
DOCUMENT = {
    "id": DOC_ID,
    "kind": "F03",
    "title": "結核登録票",
    "owner_type": "patient",
    "owner_label": "患者",
    "owner_id": PATIENT_ID,
    "patient_id": PATIENT_ID,
    "object_key": f"patients/{PATIENT_ID}/F03/{DOC_ID}.pdf",
    "version_id": None,
    "sha256": "0" * 64,
    "size": 1234,
    "content_type": "application/pdf",
    "template_version": "v1",
    "data_version": "p1",
    "created_by": "nurse1",
    "created_by_name": "試験 看護",
    "created_at": "2026-11-03T01:00:00Z",
}
PACKAGE = {
    "id": PACKAGE_ID,
    "patient_id": PATIENT_ID,
    "document_ids": [DOC_ID],
    "filename": "送付資料_20261104_99999999.zip",
    "sha256": SHA,
    "size": 2048,
    "made_by": "nurse1",
    "made_by_name": "試験 看護",
    "made_at": "2026-11-04T01:00:00Z",
    "password": "Kx7pQ9mZr4TtWb2c",
}
PAGE = f"/patients/{PATIENT_ID}/transfers/{MOVE_ID}/sending"


def mock_move(backends: respx.MockRouter, move: dict[str, Any] = MOVE, documents: list | None = None) -> None:
    """patients knows the patient with one 転出; reports holds the patient's printed documents."""
    mock_patient_page(backends)
    record = {
        "patient": PATIENT,
        "history": [],
        "lab_results": [],
        "care": {p: [] for p in ("treatments", "hospitalisations", "notes", "public-expenses")} | {"transfers": [move]},
        "alerts": [],
    }
    backends.routes["patient-record"].mock(return_value=httpx.Response(200, json=record))
    items = [DOCUMENT] if documents is None else documents
    backends.get(f"{REPORTS}/documents", params={"patient_id": PATIENT_ID}).mock(
        return_value=httpx.Response(200, json={"items": items, "total": len(items)})
    )


@pytest.mark.req("N32", partial=True)
class TestTransferSendingPage:
    async def test_the_patient_page_links_the_move_out_to_its_sending_page_and_shows_sendings(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_move(backends, copy.deepcopy(MOVE) | {"sendings": [SENDING]})
        page = await browser.get(f"/patients/{PATIENT_ID}")
        assert page.status_code == 200
        assert f'href="{PAGE}"' in page.text
        assert "電子ファイル（暗号化）で試験市保健所へ送付（登録票・記録の要約）、パスワードは電話で伝達" in text_of(
            page.text
        )

    async def test_without_filed_documents_the_page_asks_to_print_f03_first(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_move(backends, documents=[])
        page = await browser.get(PAGE)
        assert page.status_code == 200
        assert "結核登録票（F03）を出力" in text_of(page.text) and "暗号化ファイルを作成する" not in page.text

    async def test_a_move_in_has_no_sending_page(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        moved_in = copy.deepcopy(MOVE)
        moved_in["data"]["direction"] = "in"
        mock_move(backends, moved_in)
        assert (await browser.get(PAGE)).status_code == 404

    async def test_the_encrypted_file_shows_its_key_once_and_fills_the_sending_form(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_move(backends)
        made = backends.post(f"{REPORTS}/documents/packages").mock(return_value=httpx.Response(201, json=PACKAGE))
        page = await browser.get(PAGE)
        assert f'value="{DOC_ID}"' in page.text
        shown = await browser.post(
            f"/patients/{PATIENT_ID}/transfers/{MOVE_ID}/package",
            data={"csrf_token": csrf_token(page.text), "document_ids": [DOC_ID]},
        )
        assert shown.status_code == 200
        assert json.loads(made.calls.last.request.content) == {"patient_id": PATIENT_ID, "document_ids": [DOC_ID]}
        text = text_of(shown.text)
        assert PACKAGE["password"] in text and "どこにも保存されません" in text
        assert f'href="/patients/{PATIENT_ID}/packages/{PACKAGE_ID}"' in shown.text
        assert f'name="package_id" value="{PACKAGE_ID}"' in shown.text
        assert f'name="package_sha256" value="{SHA}"' in shown.text
        again = await browser.get(PAGE)  # the key is not kept: the page shows it no more
        assert PACKAGE["password"] not in again.text

    async def test_nothing_ticked_is_refused_beside_the_list_without_asking_reports(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_move(backends)
        made = backends.post(f"{REPORTS}/documents/packages").mock(return_value=httpx.Response(201, json=PACKAGE))
        page = await browser.get(PAGE)
        refused = await browser.post(
            f"/patients/{PATIENT_ID}/transfers/{MOVE_ID}/package", data={"csrf_token": csrf_token(page.text)}
        )
        assert refused.status_code == 422 and "1つ以上選んでください" in text_of(refused.text)
        assert not made.called

    async def test_the_download_relays_the_encrypted_file_only_under_its_patient(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_move(backends)
        backends.get(f"{REPORTS}/documents/packages/{PACKAGE_ID}/content").mock(
            return_value=httpx.Response(200, content=b"PK\x03\x04cipher", headers={"content-type": "application/zip"})
        )
        meta = {k: v for k, v in PACKAGE.items() if k != "password"}
        backends.get(f"{REPORTS}/documents/packages/{PACKAGE_ID}").mock(return_value=httpx.Response(200, json=meta))
        answer = await browser.get(f"/patients/{PATIENT_ID}/packages/{PACKAGE_ID}")
        assert answer.status_code == 200 and answer.content == b"PK\x03\x04cipher"
        assert answer.headers["content-type"] == "application/zip"
        other = "6c0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a12"
        assert (await browser.get(f"/patients/{other}/packages/{PACKAGE_ID}")).status_code == 404

    async def test_the_sending_is_recorded_and_a_refusal_stays_beside_its_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_move(backends)
        refusal = {
            "detail": "入力内容に誤りがあります。",
            "errors": {
                "key_channel": "パスワードの伝達方法を選んでください（ファイルと同じメールでは送れません：…）。"
            },
        }
        sent = backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/transfers/{MOVE_ID}/sendings").mock(
            side_effect=[httpx.Response(422, json=refusal), httpx.Response(201, json=MOVE | {"sendings": [SENDING]})]
        )
        page = await browser.get(PAGE)
        form = {
            "csrf_token": csrf_token(page.text),
            "version": "1",
            "documents": ["registration_card", "record_summary"],
            "method": "electronic",
            "sent_on": "R8.11.4",
            "package_id": PACKAGE_ID,
            "package_sha256": SHA,
            "key_sent_on": "R8.11.4",
        }
        refused = await browser.post(PAGE, data=form)
        assert refused.status_code == 422
        assert 'id="f-key_channel-error"' in refused.text and "同じメールでは送れません" in refused.text
        body = json.loads(sent.calls.last.request.content)
        assert body == {
            "version": 1,
            "documents": ["registration_card", "record_summary"],
            "method": "electronic",
            "sent_on": "R8.11.4",
            "package_id": PACKAGE_ID,
            "package_sha256": SHA,
            "key_sent_on": "R8.11.4",
        }
        saved = await browser.post(PAGE, data=form | {"key_channel": "phone"})
        assert saved.status_code == 303 and saved.headers["location"] == f"/patients/{PATIENT_ID}#transfers-title"
        assert json.loads(sent.calls.last.request.content)["key_channel"] == "phone"


@pytest.mark.req("N32", partial=True)
async def test_a_wrong_sending_is_corrected_with_a_reason_and_a_refusal_stays_in_its_form(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    move = copy.deepcopy(MOVE) | {"sendings": [SENDING]}
    mock_move(backends, move)
    refusal = {"detail": "入力内容に誤りがあります。", "errors": {"changes.sent_on": "未来の日付は入力できません。"}}
    corrected = backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}/transfers/{MOVE_ID}/sendings/{SENDING['id']}").mock(
        side_effect=[httpx.Response(422, json=refusal), httpx.Response(200, json=move)]
    )
    page = await browser.get(PAGE)
    assert f'action="/patients/{PATIENT_ID}/transfers/{MOVE_ID}/sendings/{SENDING["id"]}"' in page.text
    form = {
        "csrf_token": csrf_token(page.text),
        "version": "1",
        "documents": ["registration_card"],
        "method": "paper_mail",
        "sent_on": "R99.1.1",
        "reason": "送付方法を誤って記録した",
    }
    url = f"/patients/{PATIENT_ID}/transfers/{MOVE_ID}/sendings/{SENDING['id']}"
    refused = await browser.post(url, data=form)
    assert refused.status_code == 422 and "未来の日付は入力できません。" in refused.text
    assert f'id="f-s{SENDING["id"][:8]}-sent_on-error"' in refused.text
    body = json.loads(corrected.calls.last.request.content)
    assert body["version"] == "1" and body["reason"] == "送付方法を誤って記録した"
    assert body["changes"]["method"] == "paper_mail" and body["changes"]["documents"] == ["registration_card"]
    # a paper sending loses the file and the key's channel: they are sent emptied, not left out
    assert (body["changes"]["package_id"], body["changes"]["key_channel"]) == (None, "")
    saved = await browser.post(url, data=form | {"sent_on": "R8.11.5"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("/sending#sent-title")


@pytest.mark.req("N32", partial=True)
async def test_the_sending_page_passes_axe(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
) -> None:
    settings.public_url = served
    mock_move(backends, copy.deepcopy(MOVE) | {"sendings": [SENDING]})
    backends.post(f"{REPORTS}/documents/packages").mock(return_value=httpx.Response(201, json=PACKAGE))
    backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/transfers/{MOVE_ID}/sendings").mock(
        return_value=httpx.Response(
            422, json={"detail": "入力内容に誤りがあります。", "errors": {"sent_on": "未来の日付は入力できません。"}}
        )
    )
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, PAGE) as browser:
        found["page"] = await look(browser, shots, "transfer-sending")
        await browser.click("input[name=document_ids]")
        await browser.click("form[action$='/package'] button[type=submit]")
        await browser.wait_for("document.querySelector('code.password')")
        found["package"] = await look(browser, shots, "transfer-sending-package")
        await browser.click("form[action$='/sending'] button[type=submit]")
        await browser.wait_for("document.querySelector('.field-error')")
        found["refused"] = await look(browser, shots, "transfer-sending-refused")
    assert found == {page: [] for page in found}, found
