"""管理検診・行動調査の設定 in the gateway through the real patients service: the intervals beside the §7 defaults and
their basis, a change saved with its reason and shown in the history (and used by the next plan), a wrong number
refused beside its field with the typed value kept, and the 行動調査票's added items asked on the investigation page
(R06, R08, R33)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from tbms_testing import auth_headers

from ...conftest import FORWARDED_HEADERS, RELAYED_HEADERS, FakeKeycloak, Login, csrf_token, text_of, with_roles
from .conftest import MakePatient

ADMIN_ROLES = ["patients:update", "masters:update", "contacts:update", "forms:update"]
DEFAULTS = {
    "standard": "6, 12, 18, 24",
    "standard_high_risk": "6, 12, 18, 24, 30, 36",
    "ltbi": "",
    "ltbi_high_risk": "6, 12, 18, 24",
}
PERIODS = {"standard": "24", "standard_high_risk": "36", "ltbi": "24", "ltbi_high_risk": "24"}


def profiles_form(html: str, reason: str = "", **months: str) -> dict[str, str]:
    form = {"csrf_token": csrf_token(html), "version": _version(html, "/followup/settings/profiles"), "reason": reason}
    for key, typed in (DEFAULTS | months).items():
        form[f"{key}-months"], form[f"{key}-period_months"] = typed, PERIODS[key]
    return form


def _version(html: str, action: str) -> str:
    start = html.index(f'action="{action}"')
    return html[start:].split('name="version" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
async def admin(
    client: httpx.AsyncClient,
    login: Login,
    keycloak: FakeKeycloak,
    backends: respx.MockRouter,
    real_patients: httpx.AsyncClient,
    patients_api: httpx.AsyncClient,
) -> AsyncIterator[httpx.AsyncClient]:
    """An administrator's browser (マスタ管理 and 患者管理 更新) in front of the real patients service; every setting
    is put back to its default afterwards so the other tests of the module see the §7 schedule."""
    with_roles(keycloak, ADMIN_ROLES)

    async def forward(request: httpx.Request) -> httpx.Response:
        # the settings as admin1 (マスタ管理 更新), the patients' records as nurse1 (患者管理 更新)
        user = "admin1" if request.url.path.startswith("/followup/settings") else "nurse1"
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS}
        answer = await patients_api.request(
            request.method,
            request.url.raw_path.decode(),
            content=request.content,
            headers=headers | auth_headers(user),
        )
        relayed = {k: v for k, v in answer.headers.items() if k.lower() in RELAYED_HEADERS}
        return httpx.Response(answer.status_code, content=answer.content, headers=relayed)

    backends.route(host="patients.test").mock(side_effect=forward)
    await login(client)
    yield client
    settings = (await patients_api.get("/followup/settings", headers=auth_headers("admin1"))).json()
    defaults: dict[str, Any] = {
        "profiles": {
            k: {"months": [int(m) for m in v.split(", ") if m], "period_months": int(PERIODS[k])}
            for k, v in DEFAULTS.items()
        },
        "investigation_extra_items": {},
        "infectious_period": {"lookback_months": 3, "smear_negative_months": 1},
    }
    for item in settings["items"]:
        if item["value"] != defaults[item["key"]]:
            body = {"version": item["version"], "value": defaults[item["key"]], "reason": "試験の後始末"}
            put = await patients_api.put(f"/followup/settings/{item['key']}", json=body, headers=auth_headers("admin1"))
            assert put.status_code == 200, put.text


@pytest.mark.req("R06", partial=True)
async def test_the_intervals_are_shown_with_their_basis_changed_with_a_reason_and_used_by_the_next_plan(
    admin: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    earlier = await make_patient(ended_on="2025-03-31")  # planned before the change: its open exams move at once
    html = (await admin.get("/followup/settings")).text
    shown = text_of(html)
    assert "未実施の管理検診の予定日が保存と同時に新しい間隔に移ります" in shown
    assert "治療終了後2年間・6か月ごと 6・12・18・24か月 24か月" in shown and "健感発0128第1号" in shown
    assert "日本結核病学会予防委員会 2016" in shown and "まだ変更はありません" in shown
    refused = await admin.post("/followup/settings/profiles", data=profiles_form(html, standard="6, 十二"))
    assert refused.status_code == 422
    assert "数をカンマで区切って" in refused.text.split('id="standard-months-error"')[1][:200]
    assert 'value="6, 十二"' in refused.text  # the typed value stays
    beyond = await admin.post("/followup/settings/profiles", data=profiles_form(html, standard="6, 30"))
    assert (
        beyond.status_code == 422 and "期間を超えています" in beyond.text.split('id="standard-months-error"')[1][:200]
    )
    saved = await admin.post(
        "/followup/settings/profiles", data=profiles_form(html, reason="所長の決定（年1回）", standard="12, 24")
    )
    assert saved.status_code == 303, text_of(saved.text)[:800]
    after = text_of((await admin.get("/followup/settings")).text)
    assert "管理検診の間隔と期間を保存しました。" in after and "人の計画で、未実施の管理検診" in after
    moved = text_of((await admin.get(f"/followup/patients/{earlier['id']}")).text)
    assert "治療終了日（令和7年3月31日）から12か月" in moved and "取消（計画変更）" in moved
    assert "治療終了後2年間・6か月ごと 12・24か月 24か月 6・12・18・24か月、24か月間" in after
    assert "保健所の設定（12・24か月、24か月間）" in after and "所長の決定（年1回）" in after
    assert "管理検診の間隔と期間" in after.split("変更の記録")[-1]
    stale = await admin.post("/followup/settings/profiles", data=profiles_form(html, standard="12, 24"))
    assert stale.status_code == 409 and "開き直し" in text_of(stale.text)
    patient = await make_patient(ended_on="2025-03-31")
    page = text_of((await admin.get(f"/followup/patients/{patient['id']}")).text)
    assert "治療終了日（令和7年3月31日）から12か月" in page and "から18か月" not in page


@pytest.mark.req("R08", "R33", partial=True)
async def test_items_added_in_the_settings_are_asked_on_the_investigation_page(
    admin: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    html = (await admin.get("/followup/settings")).text
    token, version = csrf_token(html), _version(html, "/followup/settings/extra-items")
    half = {"csrf_token": token, "version": version, "item-0-key": "pet", "item-0-label": ""}
    refused = await admin.post("/followup/settings/extra-items", data=half)
    assert refused.status_code == 422 and "項目の名称を入力してください" in text_of(refused.text)
    bad = {"csrf_token": token, "version": version, "item-0-key": "Pet!", "item-0-label": "ペット"}
    refused = await admin.post("/followup/settings/extra-items", data=bad)
    assert refused.status_code == 422 and "半角英小文字で始まる" in text_of(refused.text)
    good = {"csrf_token": token, "version": version, "item-0-key": "pet", "item-0-label": "ペットの飼育"}
    assert (
        await admin.post("/followup/settings/extra-items", data=good | {"reason": "保健所の項目"})
    ).status_code == 303
    patient = await make_patient(category="patient")
    page = f"/followup/patients/{patient['id']}/investigation"
    form = (await admin.get(page)).text
    assert "保健所で追加した項目" in form and 'name="extra-pet"' in form
    saved = await admin.post(page, data={"csrf_token": csrf_token(form), "extra-pet": "犬1匹"})
    assert saved.status_code == 303, text_of(saved.text)[:800]
    assert 'value="犬1匹"' in (await admin.get(page)).text


async def test_a_nurse_may_not_change_the_settings(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/followup/settings")).status_code == 403
    assert (await browser.post("/followup/settings/profiles", data={})).status_code in (403, 400)


@pytest.mark.req("R08", partial=True)
async def test_the_smear_negative_months_are_set_on_the_page(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/followup/settings")).text
    assert "塗抹陰性の例は1か月前" in text_of(html) and "接触者健康診断の手引き" in text_of(html)
    form = {"csrf_token": csrf_token(html), "version": _version(html, "/followup/settings/infectious-period")}
    typed = await admin.post(
        "/followup/settings/infectious-period", data=form | {"lookback_months": "3", "smear_negative_months": "一"}
    )
    assert typed.status_code == 422 and "数字で入力" in typed.text.split('id="smear_negative_months-error"')[1][:200]
    longer = await admin.post(
        "/followup/settings/infectious-period", data=form | {"lookback_months": "3", "smear_negative_months": "4"}
    )
    assert longer.status_code == 422
    assert "通常の月数以下" in longer.text.split('id="smear_negative_months-error"')[1][:200]
    saved = await admin.post(
        "/followup/settings/infectious-period",
        data=form | {"lookback_months": "3", "smear_negative_months": "2", "reason": "所長の決定"},
    )
    assert saved.status_code == 303
    assert "塗抹陰性の例は2か月前" in text_of((await admin.get("/followup/settings")).text)
