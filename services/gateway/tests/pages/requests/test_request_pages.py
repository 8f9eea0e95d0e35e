"""他自治体との依頼・回答 pages (R14, N32): the board with days waiting and overdue replies, a request with its
steps, the encrypted file's key shown once, refusals beside their fields, the request received; group contacts'
import preview with a bad row and a duplicate; the cluster picture filtered by the user's access."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx

from ...conftest import CONTACT_CODES, CONTACTS, REPORTS, FakeKeycloakType, csrf_token, text_of, with_roles
from .conftest import INDEX_ID, RECORDED, mock_board, mock_group, mock_new, mock_preview, mock_request, recorded


class TestBoard:
    @pytest.mark.req("R14")
    async def test_both_directions_with_days_waiting_and_the_overdue_reply_flagged(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        asked = mock_board(backends)
        page = await browser.get("/requests")
        assert page.status_code == 200 and asked.calls.last.request.url.params["open_only"] == "true"
        text = text_of(page.text)
        assert "回答期限を過ぎた依頼が1件あります" in text
        outgoing = text_of(page.text[page.text.index('id="outgoing-title"') : page.text.index('id="incoming-title"')])
        assert "試験町保健所" in outgoing and "45日" in outgoing and "回答期限超過" in outgoing
        incoming = text_of(page.text[page.text.index('id="incoming-title"') :])
        assert "試験区保健所 試区保第5号 受付" in incoming
        assert '"/requests">依頼・回答</a>' in page.text.replace(' aria-current="page"', "")  # the nav link

    async def test_a_user_without_contacts_access_is_refused(
        self, client: httpx.AsyncClient, login, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:update"])
        await login(client)
        assert (await client.get("/requests")).status_code == 403


class TestOutgoingRequest:
    @pytest.mark.req("R14")
    async def test_the_new_request_ticks_the_contacts_living_elsewhere_and_refusals_stay_beside_their_fields(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_new(backends)
        page = await browser.get(f"/requests/new?index_patient_id={INDEX_ID}")
        assert page.status_code == 200
        ticked = re.findall(r'value="([0-9a-f-]{36})"\s*checked', page.text)
        far = next(c for c in RECORDED["contacts_of_index"]["items"] if c["name"] == "試験 遠子")
        assert ticked == [far["id"]]
        saved = backends.post(f"{CONTACTS}/requests").mock(
            return_value=httpx.Response(422, json=RECORDED["create_422"])
        )
        form = {
            "csrf_token": csrf_token(page.text),
            "counterpart_name": "試験市保健所",
            "contacts": [far["id"]],
            "index.infectiousness": "high",
            "reply_by": "R9.1.10",
            "attachments": "接触者リスト、胸部X線写真",
        }
        refused = await browser.post(f"/requests/new?index_patient_id={INDEX_ID}", data=form)
        assert refused.status_code == 422 and "接触者が見つかりません。" in text_of(refused.text)
        sent = json.loads(saved.calls.last.request.content)
        assert sent["index_patient_id"] == INDEX_ID and sent["items"] == [{"contact_id": far["id"], "recommended": ""}]
        assert sent["reply_by"] == "R9.1.10" and [a["title"] for a in sent["attachments"]] == [
            "接触者リスト",
            "胸部X線写真",
        ]

    @pytest.mark.req("R14")
    async def test_the_request_page_shows_the_index_summary_contacts_and_the_sending_with_the_keys_channel(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        shown = recorded("request_answered")
        mock_request(backends, shown)
        page = await browser.get(f"/requests/{shown['id']}")
        text = text_of(page.text)
        assert "他自治体への依頼：試験市保健所" in text and "回答済" in text
        assert "高感染性" in text and "試験 遠子" in text and "IGRA（QFT） 陰性" in text
        assert "電子ファイル（暗号化）" in text and "電話で伝達" in text and "SHA-256" in text
        assert "回答を入力する" not in text  # answered: no more steps

    @pytest.mark.req("N32", partial=True)
    async def test_the_password_is_shown_once_and_a_sending_without_its_channel_is_refused_beside_the_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        shown = recorded("request_draft")
        mock_request(backends, shown)
        package = recorded("package")
        backends.post(f"{CONTACTS}/requests/{shown['id']}/packages").mock(
            return_value=httpx.Response(201, json=package)
        )
        page = await browser.get(f"/requests/{shown['id']}")
        made = await browser.post(f"/requests/{shown['id']}/package", data={"csrf_token": csrf_token(page.text)})
        assert made.status_code == 200 and package["password"] in made.text
        assert "システムには保存されません" in text_of(made.text)
        assert f"/requests/{shown['id']}/packages/{package['id']}" in made.text
        again = await browser.get(f"/requests/{shown['id']}")
        assert package["password"] not in again.text  # never shown again
        send = backends.post(f"{CONTACTS}/requests/{shown['id']}/send").mock(
            return_value=httpx.Response(422, json=RECORDED["send_422"])
        )
        form = {
            "csrf_token": csrf_token(made.text),
            "version": "1",
            "package_id": package["id"],
            "sent_on": "R8.12.3",
            "documents": "依頼書",
        }
        refused = await browser.post(f"/requests/{shown['id']}/send_file", data=form)
        assert refused.status_code == 422
        body = json.loads(send.calls.last.request.content)
        assert body["method"] == "electronic" and body["package_id"] == package["id"]
        assert re.search(
            r'id="f-key_channel-error"|class="field-error"[^>]*>.*同じメールでは送れません', refused.text, re.S
        )

    @pytest.mark.req("R14")
    async def test_a_reply_with_a_wrong_result_comes_back_beside_that_contacts_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        shown = recorded("request_sent")
        mock_request(backends, shown)
        reply = backends.post(f"{CONTACTS}/requests/{shown['id']}/reply").mock(
            return_value=httpx.Response(422, json=RECORDED["reply_422"])
        )
        page = await browser.get(f"/requests/{shown['id']}")
        form = {
            "csrf_token": csrf_token(page.text),
            "version": str(shown["version"]),
            "replied_on": "R8.12.3",
            "document": "回答書",
            "r.0.kind": "xray",
            "r.0.done_on": "R8.12.1",
            "r.0.result": "negative",
        }
        refused = await browser.post(f"/requests/{shown['id']}/reply", data=form)
        assert refused.status_code == 422
        sent = json.loads(reply.calls.last.request.content)
        assert sent["results"][0]["exams"] == [{"kind": "xray", "done_on": "R8.12.1", "result": "negative"}]
        assert 'aria-invalid="true"' in refused.text and "結果が選択肢にありません" in refused.text


class TestIncoming:
    @pytest.mark.req("R14")
    async def test_a_request_received_is_registered_with_its_people(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        page = await browser.get("/requests/incoming")
        setting = re.search(r'<select id="f-people-0-setting".*?</select>', page.text, re.S)
        assert setting is not None and '<option value="workplace">職場</option>' in setting.group(0)
        created = recorded("request_incoming")
        saved = backends.post(f"{CONTACTS}/requests/incoming").mock(return_value=httpx.Response(201, json=created))
        form = {
            "csrf_token": csrf_token(page.text),
            "counterpart_name": "試験区保健所",
            "requested_on": "R8.12.1",
            "index_label": "患者A",
            "index.infectiousness": "high",
            "people.0.name": "試験 来子",
            "people.0.setting": "workplace",
            "people.0.birth_date": "H2.1.1",
        }
        done = await browser.post("/requests/incoming", data=form)
        assert done.status_code == 303 and done.headers["location"] == f"/requests/{created['id']}"
        body = json.loads(saved.calls.last.request.content)
        assert body["people"] == [{"name": "試験 来子", "birth_date": "H2.1.1", "setting": "workplace"}]


class TestGroupImport:
    @pytest.mark.req("R12", partial=True)
    async def test_the_preview_shows_each_bad_row_in_japanese_and_the_duplicate_with_its_choices(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        preview = recorded("preview")
        mock_group(backends, recorded("group_empty"))
        mock_preview(backends, preview)
        page = await browser.get(f"/requests/groups/{preview['group_id']}/imports/{preview['id']}")
        text = text_of(page.text)
        assert "Shift_JIS（CP932）" in text and "誤りのある行 2行" in text
        assert "氏名が空です。" in text and "性別「X」は読み取れません" in text
        assert "同じ人：試験 近子" in text and "別の人として新しく登録する" in text
        apply = backends.post(f"{CONTACTS}/groups/{preview['group_id']}/imports/{preview['id']}/apply").mock(
            return_value=httpx.Response(422, json=RECORDED["apply_422"])
        )
        refused = await browser.post(
            f"/requests/groups/{preview['group_id']}/imports/{preview['id']}",
            data={"csrf_token": csrf_token(page.text), "version": "1", "row-4": "new"},
        )
        assert refused.status_code == 422 and "何も登録していません" in text_of(refused.text)
        assert json.loads(apply.calls.last.request.content) == {"group_version": 1, "decisions": {"4": "new"}}
        assert 'href="#row-3"' in refused.text

    @pytest.mark.req("R25", partial=True)
    async def test_the_new_group_offers_the_settings_of_the_code_list(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_new(backends)
        codes = json.loads(json.dumps(CONTACT_CODES))
        codes["lists"]["contact_setting"]["ship"] = "船舶"
        backends.routes["contact-codes"].mock(return_value=httpx.Response(200, json=codes))
        page = await browser.get("/requests/groups/new", params={"index_patient_id": INDEX_ID})
        assert page.status_code == 200
        setting = re.search(r'<select id="f-setting".*?</select>', page.text, re.S)
        assert setting is not None and '<option value="ship">船舶</option>' in setting.group(0)

    async def test_an_upload_goes_to_its_preview(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        group = recorded("group")
        mock_group(backends, group)
        preview = recorded("preview_clean")
        upload = backends.post(f"{CONTACTS}/groups/{group['id']}/imports").mock(
            return_value=httpx.Response(201, json=preview)
        )
        page = await browser.get(f"/requests/groups/{group['id']}")
        assert "試験 一郎" in text_of(page.text)
        done = await browser.post(
            f"/requests/groups/{group['id']}/import",
            data={"csrf_token": csrf_token(page.text)},
            files={"file": ("名簿.csv", "氏名\r\n試験 一郎\r\n".encode("cp932"))},
        )
        assert done.status_code == 303 and done.headers["location"].endswith(f"/imports/{preview['id']}")
        assert upload.calls.last.request.content.count("試験 一郎".encode("cp932")) == 1


class TestCluster:
    @pytest.mark.req("R12", partial=True)
    async def test_the_picture_and_its_table_link_patients_only_for_a_user_who_may_read_them(
        self, client: httpx.AsyncClient, login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        cluster = recorded("cluster")
        backends.get(f"{CONTACTS}/index-cases/{INDEX_ID}/cluster").mock(return_value=httpx.Response(200, json=cluster))
        with_roles(keycloak, ["contacts:read"])
        await login(client)
        page = await client.get(f"/contacts/index-patients/{INDEX_ID}/cluster")
        assert page.status_code == 200 and "<svg" in page.text
        assert "/patients/" not in page.text.split("<main", 1)[1]  # no link the user may not follow
        assert page.text.count('href="/contacts/') >= 2 * 4  # every contact in the picture and in the table
        rows = re.findall(r"<tr><td>(\d)</td><th scope=\"row\">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>", page.text)
        named = {(g, text_of(n).strip(), k) for g, n, k, _ in rows}
        assert ("2", "試験 次郎", "患者（発病した接触者）") in named and ("3", "試験 三子", "接触者") in named

    async def test_a_user_who_may_read_patients_gets_the_patients_links(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        cluster = recorded("cluster")
        backends.get(f"{CONTACTS}/index-cases/{INDEX_ID}/cluster").mock(return_value=httpx.Response(200, json=cluster))
        page = await browser.get(f"/contacts/index-patients/{INDEX_ID}/cluster")
        assert f'href="/patients/{INDEX_ID}"' in page.text


class TestGroupResults:
    @pytest.mark.req("F18", partial=True)
    async def test_the_group_page_prints_every_members_recommendation_letter_at_once(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        group = recorded("group")
        mock_group(backends, group)
        html = (await browser.get(f"/requests/groups/{group['id']}")).text
        ids = "&amp;".join(f"contact_id={m['contact_id']}" for m in group["members"])
        assert f'href="/contacts/forms/F18?{ids}"' in html
        assert f"名簿の{len(group['members'])}人全員の勧告書（F18）をまとめて印刷" in html

    @pytest.mark.req("R13", partial=True)
    async def test_the_members_results_are_sent_at_once_and_a_wrong_one_comes_back_beside_that_member(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        group = recorded("group")
        mock_group(backends, group)
        refusal = {
            "detail": "入力内容に誤りがあります。各項目のメッセージを確認してください。",
            "code": "invalid_input",
            "errors": {"results.0.result": "結果が選択肢にありません（異常なし・要経過観察）。"},
        }
        sent = backends.post(f"{CONTACTS}/groups/{group['id']}/results").mock(
            return_value=httpx.Response(422, json=refusal)
        )
        page = await browser.get(f"/requests/groups/{group['id']}")
        second = group["members"][1]
        form = {
            "csrf_token": csrf_token(page.text),
            "version": str(group["version"]),
            "kind": "xray",
            "done_on": "R8.12.1",
            "m.1.result": "negative",
            "m.1.value": "",
        }
        refused = await browser.post(f"/requests/groups/{group['id']}/results", data=form)
        assert refused.status_code == 422
        body = json.loads(sent.calls.last.request.content)
        assert body["kind"] == "xray" and body["results"] == [
            {"contact_id": second["contact_id"], "done_on": "R8.12.1", "result": "negative", "finding": ""}
        ]
        field = refused.text[refused.text.index('id="f-m-1-result"') - 600 : refused.text.index('id="f-m-1-result"')]
        assert "結果が選択肢にありません" in field


class TestLetters:
    @pytest.mark.req("F30", partial=True)
    @pytest.mark.req("R14")
    async def test_the_request_page_offers_its_letter_and_relays_the_pdf_from_reports(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        shown = recorded("request_draft")
        mock_request(backends, shown)
        letter = backends.get(f"{REPORTS}/request-letters/{shown['id']}/F30").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 F30", headers={"content-type": "application/pdf"})
        )
        page = await browser.get(f"/requests/{shown['id']}")
        assert f'href="/requests/{shown["id"]}/letter/F30"' in page.text and "依頼書（F30）を印刷する" in page.text
        pdf = await browser.get(f"/requests/{shown['id']}/letter/F30")
        assert pdf.status_code == 200 and pdf.content == b"%PDF-1.7 F30" and letter.called
        assert pdf.headers["content-type"] == "application/pdf"
