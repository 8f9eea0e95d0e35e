"""The patient page's correction form, 修正履歴 and 菌検査 against a fake patients service (R21, R04, R30)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

import httpx
import pytest
import respx

Login = Callable[..., Awaitable[str]]
CsrfOf = Callable[[str], str]
PATIENTS = "http://patients.test"
PATIENT_ID = "5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a11"
PAGE = f"/patients/{PATIENT_ID}"
PATIENT = {
    "id": PATIENT_ID,
    "version": 3,
    "registration_no": "2026-00001",
    "registered_on": "2026-11-20",
    "category": "patient",
    "name": "試験 太郎",
    "name_kana": "シケン タロウ",
    "sex": "male",
    "birth_date": "1970-03-01",
    "postal_code": "154-0017",
    "address": "東京都世田谷区試験町1-2-3",
    "phone": "03-1234-5678",
    "status": "active",
    "district": "世田谷",
    "nurse": "",
    "excluded_on": None,
    "updated_at": None,
}
HISTORY = [
    {
        "record_type": "patient",
        "record_label": "基本情報",
        "record_id": PATIENT_ID,
        "version": 3,
        "changed_at": "2026-11-21T01:30:00Z",
        "changed_by": "u1",
        "changed_by_name": "試験 花子",
        "reason": "本人の申し出により訂正",
        "changes": [
            {
                "field": "birth_date",
                "label": "生年月日",
                "old": "昭和46年4月2日（1971年4月2日）",
                "new": "昭和45年3月1日（1970年3月1日）",
            }
        ],
    }
]


def lab(kind: str, label: str, collected: str, summary: str, *, mdr: bool = False) -> dict:
    """A test result as patients lists it."""
    return {
        "id": f"00000000-0000-4000-8000-{abs(hash((kind, collected))) % 10**12:012d}",
        "patient_id": PATIENT_ID,
        "version": 1,
        "kind": kind,
        "kind_label": label,
        "specimen": "喀痰",
        "collected_on": collected,
        "result_on": None,
        "laboratory": "検査センター",
        "details": {},
        "mdr": mdr,
        "summary": summary,
        "updated_at": None,
    }


LABS = [
    lab("dst", "薬剤感受性", "2026-10-15", "耐性: INH, RFP", mdr=True),
    lab("culture", "培養", "2026-10-01", "陽性 2+（液体）"),
    lab("smear", "塗抹", "2026-10-01", "2+（G5）"),
    lab("smear", "塗抹", "2026-09-01", "3+"),
]


EDITED = ("name", "name_kana", "sex", "postal_code", "address", "phone", "nurse")


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login, backends: respx.MockRouter) -> httpx.AsyncClient:
    """A logged-in nurse's browser; patients answers the patient page with a history and test results."""
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/history").mock(
        return_value=httpx.Response(200, json={"items": HISTORY})
    )
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/lab-results").mock(
        return_value=httpx.Response(200, json={"items": LABS})
    )
    await login(client)
    return client


@pytest.mark.req("R30")
async def test_the_header_shows_the_latest_smear_and_culture_and_the_mdr_flag(browser: httpx.AsyncClient) -> None:
    html = (await browser.get(PAGE)).text
    header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
    assert "最新の塗抹 2+（G5）（令和8年10月1日採取・喀痰）" in header
    assert "最新の培養 陽性 2+（液体）（令和8年10月1日採取・喀痰）" in header
    assert "薬剤耐性 MDR（多剤耐性）" in header


@pytest.mark.req("R04")
async def test_the_lab_timeline_lists_results_newest_collection_first_with_wareki_and_mdr(
    browser: httpx.AsyncClient,
) -> None:
    html = (await browser.get(PAGE)).text
    table = text_of(html[html.index('id="labs-caption"') : html.index("</table>", html.index('id="labs-caption"'))])
    assert "令和8年10月15日 喀痰 薬剤感受性 耐性: INH, RFP MDR" in table
    assert table.index("令和8年10月15日") < table.index("令和8年9月1日")
    assert table.count("MDR") == 1


@pytest.mark.req("R21", partial=True)
async def test_the_history_says_who_when_what_from_what_to_what_and_why(browser: httpx.AsyncClient) -> None:
    html = (await browser.get(PAGE)).text
    history = text_of(html[html.index('id="history-title"') :])
    assert "令和8年11月21日 10:30 試験 花子 基本情報 第3版" in history
    assert "修正理由：本人の申し出により訂正" in history
    assert "生年月日 昭和46年4月2日（1971年4月2日） 昭和45年3月1日（1970年3月1日）" in history


@pytest.mark.req("R21", partial=True)
async def test_the_correction_form_is_labelled_and_filled_with_the_stored_values(browser: httpx.AsyncClient) -> None:
    html = (await browser.get(PAGE)).text
    form = html[html.index('action="/patients/' + PATIENT_ID + '/edit"') :]
    assert '<input type="hidden" name="version" value="3">' in form
    for field_id, label in [("f-name", "氏名"), ("f-birth_date", "生年月日"), ("f-nurse", "担当保健師")]:
        assert re.search(rf'<label for="{field_id}">{label}', form), field_id
    assert re.search(r'<label for="f-reason">修正理由', form)
    assert 'value="S45.3.1"' in form and '<option value="世田谷" selected>' in form


@pytest.mark.req("R21", partial=True)
async def test_a_correction_is_sent_with_the_version_seen_and_the_reason(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    route = backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(
        return_value=httpx.Response(200, json={**PATIENT, "version": 4})
    )
    form = await _edit_form(browser, csrf_of, address="東京都世田谷区二丁目", reason="転居")
    response = await browser.post(f"{PAGE}/edit", data=form)
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}#basic-title"
    sent = json.loads(route.calls.last.request.content)
    assert sent["version"] == "3" and sent["reason"] == "転居"
    assert sent["changes"]["address"] == "東京都世田谷区二丁目" and sent["changes"]["birth_date"] == "S45.3.1"
    assert "reason" not in sent["changes"] and "csrf_token" not in sent["changes"]


@pytest.mark.req("R21", partial=True)
async def test_a_newer_save_by_someone_else_shows_the_japanese_message_and_keeps_what_was_typed(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    message = "このデータは他の利用者によって更新されています。画面を開き直して最新の内容を確認してから、"
    backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(
        return_value=httpx.Response(409, json={"detail": message, "code": "version_conflict", "errors": {}})
    )
    form = await _edit_form(browser, csrf_of, address="入力した住所", reason="入力した理由", version="2")
    response = await browser.post(f"{PAGE}/edit", data=form)
    assert response.status_code == 409
    html = response.text
    assert message in html and 'role="alert"' in html and 'aria-live="assertive"' in html
    assert 'value="入力した住所"' in html and 'value="入力した理由"' in html
    assert '<details class="disclosure" open>' in html
    # the form sends every field: it stays on the version it was based on, so saving again cannot silently
    # overwrite the other person's change (PATIENT is now at version 3)
    assert '<input type="hidden" name="version" value="2">' in html


@pytest.mark.req("R21", partial=True)
async def test_each_refused_field_shows_its_message_beside_it(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    errors = {"changes.name_kana": "カナはカタカナまたはひらがなで入力してください。"}
    backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(
        return_value=httpx.Response(422, json={"detail": "入力内容に誤りがあります。", "errors": errors})
    )
    response = await browser.post(f"{PAGE}/edit", data=await _edit_form(browser, csrf_of, name_kana="shiken"))
    assert response.status_code == 422
    html = response.text
    assert 'id="f-name_kana-error"' in html and errors["changes.name_kana"] in html
    assert re.search(r'id="f-name_kana"[^>]*aria-invalid="true"', html) and 'value="shiken"' in html
    assert '<a href="#f-name_kana">カナ：' in html


@pytest.mark.req("R04")
async def test_a_smear_with_a_gaffky_number_is_sent_with_only_the_smear_items(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    route = backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/lab-results").mock(
        return_value=httpx.Response(201, json=LABS[2])
    )
    token = csrf_of((await browser.get(PAGE)).text)
    form = {"csrf_token": token, "kind": "smear", "specimen": "喀痰", "collected_on": "R8.10.1", "smear.grade": "2+"}
    response = await browser.post(f"{PAGE}/lab-results", data={**form, "smear.gaffky": "G5", "culture.medium": "液体"})
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}#labs-title"
    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "kind": "smear",
        "collected_on": "R8.10.1",
        "specimen": "喀痰",
        "result_on": None,
        "laboratory": "",
        "details": {"grade": "2+", "gaffky": "G5"},
    }


@pytest.mark.req("R04")
async def test_a_dst_is_sent_per_drug_and_refused_items_are_shown_beside_their_fields(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    errors = {"collected_on": "「平成31年5月1日」は存在しません（平成は31年4月30日まで）。"}
    route = backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/lab-results").mock(
        return_value=httpx.Response(422, json={"detail": "入力内容に誤りがあります。", "errors": errors})
    )
    token = csrf_of((await browser.get(PAGE)).text)
    form = {
        "csrf_token": token,
        "kind": "dst",
        "collected_on": "H31.5.1",
        "dst.results.INH": "R",
        "dst.results.RFP": "R",
    }
    response = await browser.post(f"{PAGE}/lab-results", data=form)
    assert response.status_code == 422
    sent = json.loads(route.calls.last.request.content)
    assert sent["details"] == {"results": {"INH": "R", "RFP": "R"}}
    html = response.text
    assert 'id="f-lab-new-collected_on-error"' in html and errors["collected_on"] in html and 'value="H31.5.1"' in html
    assert re.search(r'id="f-lab-new-dst-results-INH".*?<option value="R" selected>', html, re.S)


async def _edit_form(browser: httpx.AsyncClient, csrf_of: CsrfOf, **typed: str) -> dict[str, str]:
    """The correction form as the page fills it, with some fields typed over."""
    token = csrf_of((await browser.get(PAGE)).text)
    stored = {k: str(v or "") for k, v in PATIENT.items() if k in EDITED}
    base = {"csrf_token": token, "version": "3", "birth_date": "S45.3.1", "district": "世田谷", "category": "patient"}
    return {**base, **stored, **typed}


@pytest.mark.req("R04")
async def test_refused_smear_items_are_shown_beside_the_smear_fields(
    browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
) -> None:
    errors = {
        "details.grade": "選択肢から選んでください。",
        "details.gaffky": "ガフキー号数はG0〜G10で入力してください。",
    }
    backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/lab-results").mock(
        return_value=httpx.Response(422, json={"detail": "入力内容に誤りがあります。", "errors": errors})
    )
    token = csrf_of((await browser.get(PAGE)).text)
    form = {"csrf_token": token, "kind": "smear", "collected_on": "R8.10.1", "smear.gaffky": "G12"}
    html = (await browser.post(f"{PAGE}/lab-results", data=form)).text
    assert 'id="f-lab-new-smear-grade-error"' in html and 'id="f-lab-new-smear-gaffky-error"' in html
    assert 'value="G12"' in html
    link = '<a href="#f-lab-new-smear-gaffky">ガフキー号数（旧記録）：ガフキー号数はG0〜G10で入力してください。</a>'
    assert link in html
    assert '<details class="disclosure" open>' in html


@pytest.mark.req("R30")
async def test_the_header_lists_open_alerts_with_their_level_in_words_and_a_link_to_the_section(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    alerts = [
        {"code": "mdr_regimen_unconfirmed", "level": "danger", "message": "多剤耐性です。", "section": "treatments"},
        {
            "code": "sputum_test_overdue",
            "level": "warning",
            "message": "喀痰検査が2か月以上ありません。",
            "section": "lab",
        },
    ]

    route = backends.routes["patient-record"]
    composed = route.side_effect  # the record made of the parts mocked above

    def with_alerts(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=composed(request).json() | {"alerts": alerts})

    route.mock(side_effect=with_alerts)
    html = (await browser.get(PAGE)).text
    header = html[html.index('class="patient-header"') : html.index("</section>")]
    assert '<details class="patient-header__alerts" open>' in header  # something urgent: shown unfolded
    assert "注意事項 2件（うち要対応 1件）" in text_of(header)
    assert '要対応</span> <a href="#treatments-title">多剤耐性です。</a>' in header
    assert '注意</span> <a href="#labs-title">喀痰検査が2か月以上ありません。</a>' in header
    route.mock(side_effect=composed)
    assert "注意事項はありません" in (await browser.get(PAGE)).text


@pytest.mark.req("R21", partial=True)
async def test_the_history_of_one_record_prints_alone(browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
    other = {**HISTORY[0], "record_type": "lab_result", "record_label": "菌検査", "record_id": LABS[1]["id"]}
    other |= {
        "version": 2,
        "reason": "結果の入力誤り",
        "changes": [{"field": "x", "label": "結果", "old": "陰性", "new": "陽性"}],
    }
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/history").mock(
        return_value=httpx.Response(200, json={"items": [other, *HISTORY]})
    )
    everything = text_of((await browser.get(f"{PAGE}/history/print")).text)
    assert "結果の入力誤り" in everything and "本人の申し出により訂正" in everything
    one = text_of((await browser.get(f"{PAGE}/history/print", params={"record": LABS[1]["id"]})).text)
    assert "修正履歴（菌検査のみ）" in one and "件数 1件" in one
    assert "結果の入力誤り" in one and "本人の申し出により訂正" not in one
    assert "すべての記録の修正履歴を表示する" in one
