"""Pages and buttons follow the user's levels (R32): a read-only user sees no change and the gateway refuses one."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from .. import conftest
from ..conftest import PATIENTS, CsrfOf, FakeKeycloakType, Login, nav_of, only_session, with_roles

PATIENT_ID = conftest.PATIENT_ID
VIEWER_ROLES = ["patients:read", "contacts:read", "forms:read", "documents:read"]
PATIENT = {**conftest.PATIENT, "postal_code": "", "address": "", "phone": ""}  # no contact details: a bare page


@pytest.mark.req("R32")
class TestReadOnlyUser:
    @pytest.fixture
    async def viewer(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> httpx.AsyncClient:
        """A logged-in viewer (参照のみ) on a patient page the fake patients service answers."""
        with_roles(keycloak, VIEWER_ROLES)
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        for tail in ("history", "lab-results"):
            backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/{tail}").mock(
                return_value=httpx.Response(200, json={"items": []})
            )
        await login(client)
        return client

    async def test_the_patient_page_offers_no_form_that_would_change_the_patient(
        self, viewer: httpx.AsyncClient
    ) -> None:
        page = await viewer.get(f"/patients/{PATIENT_ID}")
        html = page.text
        assert page.status_code == 200 and "試験 太郎" in html
        posts = set(re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html))
        posts |= set(re.findall(r'<form[^>]*action="([^"]+)"[^>]*method="post"', html))
        assert posts == {f"/patients/{PATIENT_ID}/documents", "/logout"}, "printing needs only 帳票 参照"
        assert "検査結果を追加する" not in html
        assert "患者登録" not in nav_of(html) and "患者一覧" in nav_of(html)
        assert "ユーザ管理" not in nav_of(html) and "操作履歴" not in nav_of(html)

    async def test_the_gateway_itself_refuses_changes_and_sends_nothing_on(
        self, viewer: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        edit = backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json={}))
        register = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
        token = csrf_of((await viewer.get(f"/patients/{PATIENT_ID}")).text)
        for path in (f"/patients/{PATIENT_ID}/edit", "/patients", f"/patients/{PATIENT_ID}/lab-results"):
            response = await viewer.post(path, data={"csrf_token": token, "name": "改ざん 太郎", "version": "1"})
            assert response.status_code == 403, path
            assert "権限がありません" in response.text and "「患者管理」の更新権限がありません。" in response.text
        form = await viewer.get("/patients/new")
        assert form.status_code == 403 and "「患者管理」の更新権限がありません。" in form.text
        assert not edit.called and not register.called

    async def test_administration_pages_are_refused_without_calling_identity(
        self, viewer: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        users = backends.route(host="identity.test").mock(return_value=httpx.Response(200, json={"items": []}))
        for path, area in (("/admin/users", "ユーザ管理"), ("/admin/access", "ユーザ管理"), ("/admin/audit", "監査")):
            page = await viewer.get(path)
            assert page.status_code == 403 and f"「{area}」の" in page.text, path
        token = csrf_of((await viewer.get(f"/patients/{PATIENT_ID}")).text)
        created = await viewer.post("/admin/users", data={"csrf_token": token, "username": "intruder"})
        assert created.status_code == 403 and "「ユーザ管理」の更新権限がありません。" in created.text
        assert not users.called

    async def test_new_roles_apply_from_the_next_token_refresh(
        self, viewer: httpx.AsyncClient, keycloak: FakeKeycloakType, last_login: respx.Route
    ) -> None:
        assert "患者登録" not in nav_of((await viewer.get("/")).text)
        with_roles(keycloak, ["patients:update", *VIEWER_ROLES])
        async with only_session(viewer) as session:
            session.tokens = type(session.tokens)(**{**session.tokens.__dict__, "expires_at": 0})
        html = (await viewer.get("/")).text
        assert keycloak.token_forms[-1]["grant_type"] == "refresh_token"
        assert "患者登録" in nav_of(html)
