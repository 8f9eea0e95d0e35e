"""masters as the contract describes it (docs/masters-api.md), answered by respx: kinds, rows, history, imports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from ...conftest import MASTERS, FakeKeycloakType, Login, with_roles

NONE: dict[str, Any] = {}
INSTITUTION_KIND: dict[str, Any] = {
    "kind": "institution",
    "label": "医療機関",
    "code_label": "医療機関コード",
    "code_hint": "10桁（都道府県2桁＋点数表1桁＋郡市区2桁＋番号4桁＋検証番号1桁）",
    "name_label": "名称",
    "fields": [
        {"key": "postal_code", "label": "郵便番号", "type": "text", "required": False, "choices": NONE, "hint": ""},
        {"key": "address", "label": "所在地", "type": "text", "required": True, "choices": NONE, "hint": ""},
        {"key": "phone", "label": "電話番号", "type": "text", "required": False, "choices": NONE, "hint": ""},
        {
            "key": "type",
            "label": "種別",
            "type": "choice",
            "required": True,
            "choices": {"hospital": "病院", "clinic": "診療所", "pharmacy": "薬局"},
            "hint": "",
        },
        {
            "key": "designated",
            "label": "結核指定医療機関（法38条）",
            "type": "bool",
            "required": False,
            "choices": NONE,
        },
        {"key": "designated_from", "label": "指定日", "type": "date", "required": False, "choices": NONE},
        {"key": "tb_bed_count", "label": "結核病床数", "type": "int", "required": False, "choices": NONE},
        {"key": "departments", "label": "診療科", "type": "multiline", "required": False, "hint": "1行に1つ"},
    ],
}
DOCTOR_KIND: dict[str, Any] = {
    "kind": "doctor",
    "label": "医師",
    "code_label": "医師コード",
    "code_hint": "例: D00001",
    "name_label": "氏名",
    "fields": [
        {
            "key": "institution_code",
            "label": "所属医療機関",
            "type": "ref",
            "ref_kind": "institution",
            "required": True,
        },
        {"key": "specialty", "label": "専門", "type": "text", "required": False},
    ],
}
MUNICIPALITY_KIND: dict[str, Any] = {
    "kind": "municipality",
    "label": "保健所・自治体",
    "code_label": "全国地方公共団体コード",
    "fields": [{"key": "health_center_name", "label": "保健所名", "type": "text", "required": False}],
}
KINDS = [INSTITUTION_KIND, DOCTOR_KIND, MUNICIPALITY_KIND]
CODE = "1310112345"  # 13 東京都, 1 医科, 01, 1234, check digit 5 (modulus 10, weights 2,1 from the right)
INSTITUTION: dict[str, Any] = {
    "kind": "institution",
    "code": CODE,
    "name": "世田谷中央病院",
    "kana": "セタガヤチュウオウビョウイン",
    "data": {
        "postal_code": "154-0017",
        "address": "東京都世田谷区世田谷1-2-3",
        "phone": "03-1111-2222",
        "type": "hospital",
        "designated": True,
        "designated_from": "2020-04-01",
        "tb_bed_count": 20,
        "departments": "内科\n呼吸器内科",
    },
    "valid_from": "2026-04-01",
    "valid_to": None,
    "active": True,
    "version": 3,
    "updated_at": "2026-11-20T01:05:00Z",
    "updated_by": "a089e58a-93fc-474e-82cf-91d8035f6152",  # the user id; names come with the history
}
ENDED: dict[str, Any] = {
    **INSTITUTION,
    "code": "1310156787",
    "name": "旧北沢診療所",
    "kana": "キュウキタザワシンリョウジョ",
    "data": {**INSTITUTION["data"], "type": "clinic", "designated": False},
    "valid_from": "2001-04-01",
    "valid_to": "2025-03-31",
    "active": False,
    "version": 2,
}
HISTORY = {
    "items": [
        {
            "version": 3,
            "changed_at": "2026-11-20T01:05:00Z",
            "changed_by": "nurse1",
            "changed_by_name": "試験 花子",
            "reason": "移転により住所を変更",
            "changes": [
                {
                    "field": "address",
                    "label": "所在地",
                    "old": "東京都世田谷区若林1-1-1",  # masters sends values as staff read them
                    "new": "東京都世田谷区世田谷1-2-3",
                },
                {"field": "designated_from", "label": "指定日", "old": "", "new": "令和2年4月1日"},
            ],
        },
        {
            "version": 1,
            "changed_at": "2026-04-01T00:00:00Z",
            "changed_by": "admin1",
            "changed_by_name": "管理 一郎",
            "reason": "新規開設",
            "changes": [{"field": "name", "label": "名称", "old": "", "new": "世田谷中央病院"}],
        },
    ]
}
UPDATER_ROLES = ["patients:update", "masters:update"]
READER_ROLES = ["patients:update", "masters:read"]


def row_url(code: str = CODE, kind: str = "institution") -> str:
    """masters' URL of one row."""
    return f"{MASTERS}/masters/{kind}/{code}"


def mock_masters(backends: respx.MockRouter) -> respx.MockRouter:
    """masters answers the kinds, the institution's row and its history; tests add the rest."""
    backends.get(f"{MASTERS}/masters/kinds", name="kinds").mock(return_value=httpx.Response(200, json=KINDS))
    backends.get(row_url(), name="row").mock(return_value=httpx.Response(200, json=INSTITUTION))
    backends.get(f"{row_url()}/history", name="history").mock(return_value=httpx.Response(200, json=HISTORY))
    return backends


@pytest.fixture
def masters(backends: respx.MockRouter) -> respx.MockRouter:
    """The fake masters (and every other fake back end), to add answers to."""
    return mock_masters(backends)


BrowserAs = Callable[[list[str]], Any]


@pytest.fixture
def browser_as(client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, masters: respx.MockRouter):
    """Logs the test browser in with these roles."""

    async def _as(roles: list[str]) -> httpx.AsyncClient:
        with_roles(keycloak, roles)
        await login(client)
        return client

    return _as


@pytest.fixture
async def updater(browser_as: BrowserAs) -> httpx.AsyncClient:
    """A browser of someone with マスタ管理 更新."""
    return await browser_as(UPDATER_ROLES)


@pytest.fixture
async def reader(browser_as: BrowserAs) -> httpx.AsyncClient:
    """A browser of someone with マスタ管理 参照 only."""
    return await browser_as(READER_ROLES)
