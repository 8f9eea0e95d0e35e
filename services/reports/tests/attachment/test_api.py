"""Storing users' files with a record through the API: virus check, type from content, versions, audited reads."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from minio import Minio
from PIL import Image
from reports.scanning import ClamdScanner, ClamscanScanner, SignatureWatch
from reports.settings import get_settings
from tbms_testing import auth_headers, wait_for

EventsSince = Callable[[str, datetime], Awaitable[list[dict[str, object]]]]
AUDIT_SUBJECT = "tbms.audit.reports.operation.recorded.v1"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# a Windows executable's first bytes (MZ header, PE offset): enough for libmagic to call it one
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 112


def png() -> bytes:
    """A small synthetic PNG image (a grey square)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (128, 128, 128)).save(out, format="PNG")
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient,
    owner_id: str,
    *files: tuple[str, bytes],
    user: str = "nurse1",
    owner_type: str = "patient",
    **fields: str,
) -> httpx.Response:
    """POST /attachments as a demo user with one or several files."""
    data = {"owner_type": owner_type, "owner_id": owner_id, "kind": "referral", **fields}
    multipart = [("files", (name, content, "application/octet-stream")) for name, content in files]
    return await client.post("/attachments", data=data, files=multipart, headers=auth_headers(user))


async def stored(client: httpx.AsyncClient, owner_id: str, name: str = "紹介状.pdf", content: bytes = PDF) -> dict:
    """Uploads one file and returns its attachment."""
    response = await upload(client, owner_id, (name, content), title="試験病院からの紹介状", document_date="R8.4.1")
    assert response.status_code == 201, response.text
    return response.json()[0]


async def audited(jetstream_events: EventsSince, since: datetime, match: Callable[[dict], bool]) -> list[dict]:
    """The audit records since a moment that match."""
    records = [e["payload"] for e in await jetstream_events(AUDIT_SUBJECT, since)]
    return [r for r in records if isinstance(r, dict) and match(r)]


@pytest.fixture
def owner() -> str:
    """A synthetic patient id the files are stored with."""
    return str(uuid.uuid4())


@pytest.mark.req("R20")
class TestUpload:
    """A user stores their own files with a record and gets them back unchanged."""

    async def test_a_nurse_stores_several_files_and_downloads_each_back_unchanged(
        self, client: httpx.AsyncClient, minio_client: Minio, owner: str
    ) -> None:
        image = png()
        response = await upload(
            client, owner, ("紹介状.pdf", PDF), ("胸部X線.png", image), kind="imaging_report", note="初診時"
        )
        assert response.status_code == 201, response.text
        items = response.json()
        assert [(a["title"], a["kind_label"], a["current"]["content_type"]) for a in items] == [
            ("紹介状.pdf", "画像所見", "application/pdf"),
            ("胸部X線.png", "画像所見", "image/png"),
        ]
        for attachment, content in zip(items, (PDF, image), strict=True):
            assert attachment["current"]["sha256"] == hashlib.sha256(content).hexdigest()
            got = await client.get(f"/attachments/{attachment['id']}/content", headers=auth_headers("nurse1"))
            assert got.status_code == 200
            assert got.content == content
            assert got.headers["content-disposition"].startswith("attachment;")
            assert "filename*=UTF-8''" in got.headers["content-disposition"]

        listed = await client.get(f"/attachments?owner_type=patient&owner_id={owner}", headers=auth_headers("viewer1"))
        assert {a["id"] for a in listed.json()["items"]} == {a["id"] for a in items}

    async def test_a_contact_s_reply_is_stored_listed_and_downloaded_unchanged(self, client: httpx.AsyncClient) -> None:
        contact = str(uuid.uuid4())
        reply = b"From: hokenjo@example.jp\nTo: tbms@example.jp\nSubject: reply\n\nIGRA negative\n"
        response = await upload(client, contact, ("回答.eml", reply), owner_type="contact", kind="reply")
        assert response.status_code == 201, response.text
        listed = await client.get(f"/attachments?owner_type=contact&owner_id={contact}", headers=auth_headers("nurse1"))
        (item,) = listed.json()["items"]
        assert (item["kind_label"], item["current"]["content_type"], item["person_id"]) == (
            "回答書",
            "message/rfc822",
            contact,
        )
        got = await client.get(f"/attachments/{item['id']}/content", headers=auth_headers("nurse1"))
        assert got.content == reply

    async def test_the_store_path_is_built_from_ids_never_from_the_file_name(
        self, client: httpx.AsyncClient, minio_client: Minio, owner: str
    ) -> None:
        attachment = await stored(client, owner, name="..\\..\\Windows\\../../etc/紹介状.pdf")
        assert attachment["current"]["filename"] == "紹介状.pdf"
        objects = list(minio_client.list_objects(get_settings().s3_bucket, prefix=f"attachments/{attachment['id']}/"))
        assert [o.object_name for o in objects] == [f"attachments/{attachment['id']}/v1"]

    async def test_the_details_are_kept_and_a_bad_kind_is_refused_in_japanese(
        self, client: httpx.AsyncClient, owner: str
    ) -> None:
        attachment = await stored(client, owner)
        assert (attachment["title"], attachment["document_date"]) == ("試験病院からの紹介状", "2026-04-01")
        response = await upload(client, owner, ("a.pdf", PDF), kind="secret")
        assert response.status_code == 422
        assert response.json()["errors"]["kind"] == "資料の種類が選択肢にありません。"

    async def test_a_read_only_user_cannot_upload(self, client: httpx.AsyncClient, owner: str) -> None:
        response = await upload(client, owner, ("a.pdf", PDF), user="viewer1")
        assert response.status_code == 403


@pytest.mark.req("N15")
@pytest.mark.req("R20")
class TestUploadChecks:
    """Every file is checked before it is stored: size, type from its bytes, then ClamAV; refusals are audited."""

    async def test_the_eicar_test_file_is_refused_and_the_refusal_audited(
        self, client: httpx.AsyncClient, owner: str, jetstream_events: EventsSince, eicar: bytes
    ) -> None:
        since = datetime.now(UTC) - timedelta(seconds=1)
        response = await upload(client, owner, ("eicar.txt", eicar))
        assert response.status_code == 422
        assert response.json()["code"] == "file_infected"
        assert "ウイルス（Tbms.Test.EICAR" in response.json()["detail"]
        listed = await client.get(f"/attachments?owner_type=patient&owner_id={owner}", headers=auth_headers("nurse1"))
        assert listed.json()["total"] == 0

        def refusal(r: dict) -> bool:
            return r["person_id"] == owner and r["result"] == "refused" and "file_infected" in (r["detail"] or "")

        await wait_for(lambda: audited(jetstream_events, since, refusal), timeout=15)

    async def test_one_infected_file_among_several_stores_none_of_them(
        self, client: httpx.AsyncClient, owner: str, eicar: bytes
    ) -> None:
        response = await upload(client, owner, ("ok.pdf", PDF), ("eicar.txt", eicar))
        assert response.status_code == 422
        listed = await client.get(f"/attachments?owner_type=patient&owner_id={owner}", headers=auth_headers("nurse1"))
        assert listed.json()["total"] == 0

    @pytest.mark.parametrize(
        "scanner",
        [
            ClamscanScanner("clamscan", "/nonexistent-signature-folder", timeout=10),
            ClamscanScanner("no-such-clamscan", "", timeout=10),
            ClamdScanner("127.0.0.1", 9, timeout=2),  # nothing listens on the discard port
        ],
        ids=["no-database", "no-command", "no-daemon"],
    )
    async def test_without_a_working_scanner_nothing_is_stored(
        self, client: httpx.AsyncClient, owner: str, scanner: object, swap_scanner: Callable[[object], None]
    ) -> None:
        swap_scanner(scanner)
        response = await upload(client, owner, ("clean.pdf", PDF))
        assert response.status_code == 503
        assert response.json()["detail"].startswith("ウイルス検査を実行できないため、ファイルを保存しませんでした。")
        listed = await client.get(f"/attachments?owner_type=patient&owner_id={owner}", headers=auth_headers("nurse1"))
        assert listed.json()["total"] == 0

    async def test_a_renamed_executable_is_refused_by_its_content(self, client: httpx.AsyncClient, owner: str) -> None:
        response = await upload(client, owner, ("検査結果.pdf", EXECUTABLE))
        assert response.status_code == 422
        assert response.json()["code"] == "file_type_refused"
        assert "「検査結果.pdf」は受け付けられない種類のファイルです" in response.json()["detail"]

    async def test_the_type_comes_from_the_content_not_the_name(self, client: httpx.AsyncClient, owner: str) -> None:
        attachment = await stored(client, owner, name="scan.txt", content=png())
        assert attachment["current"]["content_type"] == "image/png"
        assert attachment["current"]["previewable"] is True

    async def test_a_file_over_the_limit_is_refused_with_the_limit_named(
        self, client: httpx.AsyncClient, owner: str, small_limit: int
    ) -> None:
        response = await upload(client, owner, ("big.pdf", PDF + b"0" * small_limit))
        assert response.status_code == 413
        assert response.json()["detail"] == "「big.pdf」（1KB）は大きすぎます。1ファイル1KBまでです。"


@pytest.mark.req("R20")
class TestVersions:
    """A new upload replaces the file as a new version; older versions stay readable."""

    async def test_a_replacement_becomes_version_2_and_version_1_stays(
        self, client: httpx.AsyncClient, owner: str
    ) -> None:
        first = await stored(client, owner)
        image = png()
        response = await client.post(
            f"/attachments/{first['id']}/versions",
            data={"version": str(first["version"])},
            files={"file": ("差し替え.png", image, "image/png")},
            headers=auth_headers("nurse1"),
        )
        assert response.status_code == 200, response.text
        replaced = response.json()
        assert replaced["current"]["number"] == 2
        assert [v["number"] for v in replaced["versions"]] == [2, 1]
        old = await client.get(f"/attachments/{first['id']}/content?number=1", headers=auth_headers("nurse1"))
        new = await client.get(f"/attachments/{first['id']}/content", headers=auth_headers("nurse1"))
        assert (old.content, new.content) == (PDF, image)

    async def test_a_replacement_based_on_an_old_version_is_refused(
        self, client: httpx.AsyncClient, owner: str
    ) -> None:
        first = await stored(client, owner)
        for expected in (200, 409):
            response = await client.post(
                f"/attachments/{first['id']}/versions",
                data={"version": str(first["version"])},
                files={"file": ("v.pdf", PDF, "application/pdf")},
                headers=auth_headers("nurse1"),
            )
            assert response.status_code == expected

    async def test_an_infected_replacement_is_refused(
        self, client: httpx.AsyncClient, owner: str, eicar: bytes
    ) -> None:
        first = await stored(client, owner)
        response = await client.post(
            f"/attachments/{first['id']}/versions",
            data={"version": str(first["version"])},
            files={"file": ("v.txt", eicar, "text/plain")},
            headers=auth_headers("nurse1"),
        )
        assert response.status_code == 422
        again = await client.get(f"/attachments/{first['id']}", headers=auth_headers("nurse1"))
        assert again.json()["current"]["number"] == 1


@pytest.mark.req("N15")
@pytest.mark.req("R20")
class TestReadingAndWithdrawing:
    """Previews and downloads are audited with whose document it was; withdrawing keeps everything."""

    async def test_preview_and_download_are_audited_with_who_and_whose(
        self, client: httpx.AsyncClient, owner: str, jetstream_events: EventsSince
    ) -> None:
        since = datetime.now(UTC) - timedelta(seconds=1)
        attachment = await stored(client, owner)
        shown = await client.get(f"/attachments/{attachment['id']}/preview", headers=auth_headers("viewer1"))
        assert shown.status_code == 200
        assert shown.headers["content-disposition"].startswith("inline;")
        await client.get(f"/attachments/{attachment['id']}/content", headers=auth_headers("viewer1"))

        async def operations() -> set[str]:
            rows = await audited(jetstream_events, since, lambda r: r["record_id"] == attachment["id"])
            return {f"{r['operation']}:{r['username']}:{r['person_id']}" for r in rows}

        expected = {f"read:viewer1:{owner}", f"download:viewer1:{owner}", f"create:nurse1:{owner}"}
        await wait_for(lambda: _contains(operations, expected), timeout=15)

    async def test_a_word_file_is_downloaded_not_previewed(self, client: httpx.AsyncClient, owner: str) -> None:
        attachment = await stored(client, owner, name="memo.csv", content=b"a,b,c\n1,2,3\n4,5,6\n")
        assert attachment["current"]["content_type"] == "text/csv"
        response = await client.get(f"/attachments/{attachment['id']}/preview", headers=auth_headers("nurse1"))
        assert response.status_code == 422

    async def test_withdrawing_needs_a_reason_and_keeps_the_file(self, client: httpx.AsyncClient, owner: str) -> None:
        attachment = await stored(client, owner)
        url = f"/attachments/{attachment['id']}/withdraw"
        blank = await client.post(url, json={"reason": " ", "version": 1}, headers=auth_headers("nurse1"))
        assert blank.status_code == 422
        done = await client.post(url, json={"reason": "別の患者の資料", "version": 1}, headers=auth_headers("nurse1"))
        assert done.status_code == 200, done.text
        assert (done.json()["withdrawn"], done.json()["withdrawn_reason"]) == (True, "別の患者の資料")
        listed = await client.get(f"/attachments?owner_type=patient&owner_id={owner}", headers=auth_headers("nurse1"))
        assert listed.json()["total"] == 0
        everything = await client.get(
            f"/attachments?owner_type=patient&owner_id={owner}&withdrawn=true", headers=auth_headers("nurse1")
        )
        assert everything.json()["total"] == 1
        kept = await client.get(f"/attachments/{attachment['id']}/content", headers=auth_headers("nurse1"))
        assert kept.content == PDF


@pytest.mark.req("N22", partial=True)
class TestSignatureAge:
    """Uploads stop when the virus signatures are too old; administrators see their date."""

    async def test_signatures_older_than_the_limit_store_nothing_and_say_why(
        self,
        client: httpx.AsyncClient,
        owner: str,
        swap_scanner: Callable[[object], None],
        tmp_path: Path,
        eicar: bytes,
    ) -> None:
        folder = tmp_path / "old"
        folder.mkdir()
        (folder / "tbms-test.ndb").write_text(f"Tbms.Test.EICAR:0:*:{eicar.hex()}\n")
        week_and_a_day = (datetime.now(UTC) - timedelta(days=8, hours=1)).timestamp()
        os.utime(folder / "tbms-test.ndb", (week_and_a_day, week_and_a_day))
        scanner = ClamscanScanner("clamscan", str(folder), timeout=30)
        limits = {"warn_after": timedelta(days=1), "refuse_after": timedelta(days=7), "recheck": timedelta(0)}
        swap_scanner(SignatureWatch(scanner, **limits))
        response = await upload(client, owner, ("clean.pdf", PDF))
        assert response.status_code == 503
        assert response.json()["detail"] == (
            "ウイルス定義が8.0日前のもので、上限の7日を超えているため、ファイルを保存しませんでした。"
            "ウイルス定義の更新（freshclam）をシステム管理者に依頼してください。"
        )
        listed = await client.get(f"/attachments?owner_type=patient&owner_id={owner}", headers=auth_headers("nurse1"))
        assert listed.json()["total"] == 0

    async def test_administrators_see_the_signatures_date_and_others_do_not(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/scanner", params={"fresh": "true"}, headers=auth_headers("admin1"))
        assert answer.status_code == 200, answer.text
        status = answer.json()
        assert (status["state"], status["warn_after_hours"], status["refuse_after_hours"]) == ("ok", 24.0, 168.0)
        assert status["published"] and status["age_hours"] < 24 and status["database"].startswith("clamav")
        metrics = (await client.get("/metrics/")).text
        assert "tbms_clamav_signature_age_seconds " in metrics  # for the alert after a day
        refused = await client.get("/scanner", headers=auth_headers("nurse1"))
        assert refused.status_code == 403 and "監査" in refused.json()["detail"]


async def _contains(read: Callable[[], Awaitable[set[str]]], expected: set[str]) -> bool:
    return expected <= await read()


@pytest.fixture
def swap_scanner(client: httpx.AsyncClient) -> Iterator[Callable[[object], None]]:
    """Puts another scanner in the running service for one test."""
    app = client.app  # type: ignore[attr-defined]
    original = app.state.scanner

    def swap(scanner: object) -> None:
        app.state.scanner = scanner

    yield swap
    app.state.scanner = original


@pytest.fixture
def small_limit(client: httpx.AsyncClient) -> Iterator[int]:
    """A 1 KB file size limit for one test."""
    settings = client.app.state.settings  # type: ignore[attr-defined]
    original = settings.attachment_max_bytes
    settings.attachment_max_bytes = 1024
    yield 1024
    settings.attachment_max_bytes = original


@pytest.mark.req("N09", partial=True)
class TestHostileFileNames:
    """IPA 1.3 and 1.7: a file's name is shown, never used as a path in the store nor written raw into a header."""

    @pytest.mark.parametrize(
        "name",
        [
            "../../../etc/紹介状.pdf",
            "..\\..\\windows\\紹介状.pdf",
            "紹介状\r\nSet-Cookie: evil=1.pdf",
            '紹介状"; filename=evil.exe.pdf',
        ],
    )
    async def test_a_hostile_name_is_kept_for_display_only(
        self, client: httpx.AsyncClient, minio_client: Minio, owner: str, name: str
    ) -> None:
        response = await upload(client, owner, (name, PDF))
        assert response.status_code == 201, response.text
        attachment = response.json()[0]
        shown = attachment["current"]["filename"]
        assert "/" not in shown and "\\" not in shown and "\r" not in shown and "\n" not in shown
        bucket = get_settings().s3_bucket
        keys = [o.object_name for o in minio_client.list_objects(bucket, prefix=f"attachments/{attachment['id']}/")]
        assert keys == [f"attachments/{attachment['id']}/v1"]  # the store's key is made of ids only

        got = await client.get(f"/attachments/{attachment['id']}/content", headers=auth_headers("nurse1"))
        assert got.status_code == 200 and got.content == PDF
        disposition = got.headers["content-disposition"]
        assert "\r" not in disposition and "\n" not in disposition and "set-cookie" not in got.headers
        fallback = disposition.split(";")[1].strip()
        assert fallback.startswith('filename="attachment-') and "evil" not in fallback  # ASCII name from ids
