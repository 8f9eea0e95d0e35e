"""The documents pages in headless Chromium: a file chosen with the file picker and uploaded, a refused (infected)
file named beside the field with the focus on the summary, the check before printing with its missing items, and a
batch's progress bar moving on its own; axe (WCAG 2.0 A/AA) finds nothing. Screenshots go to $TBMS_SHOTS (else the
test's temporary directory) to be looked at."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import PATIENT_ID, REPORTS, Login, logged_in_chromium
from .conftest import BATCH_ID, attachment, batch, mock_files_page
from .test_printing import mock_batch_form, mock_check

PAGE = f"/documents/patients/{PATIENT_ID}/files"
INFECTED = "「胸部X線所見.pdf」からウイルス（Tbms.Test.EICAR）が検出されたため、保存しませんでした。"


@pytest.mark.req("R20", "N15")
@pytest.mark.req("R19", "R18", partial=True)
async def test_upload_check_and_batch_pages_in_chromium(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings, tmp_path: Path
) -> None:
    image = tmp_path / "胸部X線所見.pdf"
    image.write_bytes(b"%PDF-1.4 synthetic")
    second = attachment(
        id="bbbbbbbb-0000-4000-8000-000000000000", kind_label="検査結果", title="喀痰培養の結果", note=""
    )
    mock_files_page(backends, items=[attachment(), second])
    stored = backends.post(f"{REPORTS}/attachments").mock(
        side_effect=[
            httpx.Response(201, json=[attachment()]),
            httpx.Response(
                422,
                json={
                    "detail": "x",
                    "code": "file_infected",
                    "errors": {"files": INFECTED},
                },
            ),
        ]
    )
    mock_check(backends)
    mock_batch_form(backends)
    progress = backends.get(f"{REPORTS}/batches/{BATCH_ID}").mock(
        side_effect=[httpx.Response(200, json=batch(done=d, percent=100 * d // 30)) for d in (12, 18, 24)]
        + [httpx.Response(200, json=batch(status="done", status_label="完了", done=30, percent=100, pages=30))] * 20
    )
    settings.public_url = served
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, PAGE) as browser:
        found["files"] = await look(browser, shots, "documents-files")
        await browser.type("#f-files", str(image))
        await browser.wait_for("document.getElementById('f-files-chosen').textContent.includes('胸部X線所見.pdf')")
        await browser.run("document.getElementById('f-kind').value = 'imaging_report';")
        found["chosen"] = await look(browser, shots, "documents-file-chosen")
        await browser.click("form[aria-label='資料の追加'] button[type=submit]")
        await browser.wait_for("document.activeElement && document.activeElement.id === 'flash'")
        assert stored.call_count == 1

        await browser.type("#f-files", str(image))
        await browser.run("document.getElementById('f-kind').value = 'imaging_report';")
        await browser.click("form[aria-label='資料の追加'] button[type=submit]")
        await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
        found["refused"] = await look(browser, shots, "documents-upload-refused")

        await browser.go(f"{served}/documents/forms/F03/check?patient_id={PATIENT_ID}")
        found["check"] = await look(browser, shots, "documents-check-missing")

        await browser.go(f"{served}/documents/screening-days?day=R8.12.14&place=第2会場")
        found["screening-day"] = await look(browser, shots, "documents-screening-day")

        await browser.go(f"{served}/documents/batches?patient_id={PATIENT_ID}")
        found["batch-new"] = await look(browser, shots, "documents-batch-new")
        await browser.click("#genre-2")  # 接触者健診: the day is typed wrong, and said beside it
        await browser.type("#batch-day", "あした")
        await browser.click("form[aria-label='一括印刷'] button[type=submit]")
        await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
        found["batch-day-refused"] = await look(browser, shots, "documents-batch-day-refused")
        await browser.go(f"{served}/documents/batches/{BATCH_ID}")
        found["batch-running"] = await look(browser, shots, "documents-batch-running")
        await browser.wait_for("document.querySelector('progress').value === 30", timeout=20)
        await browser.wait_for("!document.querySelector('[data-finished]').hidden")
        found["batch-done"] = await look(browser, shots, "documents-batch-done")
        assert progress.call_count >= 4
    assert found == {page: [] for page in found}, found
