"""The access-rights review through identity and the real Keycloak: accounts are listed with their reasons,
a confirmation is recorded and audited, 無効にする disables the account, and only user administrators see it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

PASSWORD = "Tmp-Pass-2026!x"  # a synthetic temporary password


async def new_account(identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]) -> dict[str, Any]:
    """A synthetic 参照のみ account with a temporary password, and a direct 監査 update role beyond its group."""
    body = {
        "username": "t-" + uuid.uuid4().hex[:10],
        "last_name": "試験",
        "first_name": "次郎",
        "district": "世田谷",
        "job_title": "事務",
        "groups": ["参照のみ"],
        "temporary_password": PASSWORD,
    }
    response = await identity.post("/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    user = response.json()
    cleanup.append(f"/users/{user['id']}")
    granted = await identity.put(f"/access/users/{user['id']}", json={"audit": "update"}, headers=admin)
    assert granted.status_code == 200, granted.text
    return user


def line_of(report: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The review line of one account."""
    return next(line for line in report["lines"] if line["id"] == user_id)


@pytest.mark.req("N21", partial=True)
async def test_an_over_privileged_account_without_otp_is_listed_with_its_reasons(
    identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]
) -> None:
    user = await new_account(identity, admin, cleanup)
    response = await identity.get("/rights-review", headers=admin)
    assert response.status_code == 200, response.text
    report = response.json()
    line = line_of(report, user["id"])
    assert line["groups"] == ["参照のみ"]
    assert line["levels"]["監査"] == "更新"
    assert line["reasons"]["excess"] == "グループを超える個別の権限: 監査=更新"
    assert line["reasons"]["privileged"] == "特権: 監査の更新"
    assert line["reasons"]["no_otp"] == "ワンタイムパスワードが未設定"
    assert (line["last_login"], line["proposal"]) == (None, "個別の権限の見直しを提案")
    assert report["dormant_days"] == 90
    flagged = [line for line in report["lines"] if line["reasons"]]
    assert report["lines"][: len(flagged)] == flagged  # accounts with reasons come first


@pytest.mark.req("N21", partial=True)
async def test_a_confirmation_is_recorded_and_disabling_disables_the_account(
    identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]
) -> None:
    user = await new_account(identity, admin, cleanup)
    url = f"/rights-review/{user['id']}"
    refused = await identity.post(url, json={"decision": "disable", "note": ""}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"note": "「無効にする」の場合は、理由を記入してください。"}
    assert (await identity.get(f"/users/{user['id']}", headers=admin)).json()["enabled"] is True
    done = await identity.post(url, json={"decision": "disable", "note": "異動により不要"}, headers=admin)
    assert done.status_code == 201, done.text
    assert done.json()["reasons"]["excess"] == "グループを超える個別の権限: 監査=更新"
    assert (await identity.get(f"/users/{user['id']}", headers=admin)).json()["enabled"] is False
    report = (await identity.get("/rights-review", headers=admin)).json()
    last = line_of(report, user["id"])["last_confirmation"]
    assert (last["decision_label"], last["note"], last["confirmed_by"]) == ("無効にする", "異動により不要", "admin1")
    history = (await identity.get(f"{url}/history", headers=admin)).json()
    assert [item["decision"] for item in history] == ["disable"]


async def test_only_user_administrators_see_or_confirm_the_review(
    identity: httpx.AsyncClient, nurse: dict[str, str], viewer: dict[str, str]
) -> None:
    for headers in (nurse, viewer):
        assert (await identity.get("/rights-review", headers=headers)).status_code == 403
