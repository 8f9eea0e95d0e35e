"""Every page of the gateway in one headless Chromium session (issue 23): the list of pages is read from the
gateway's own GET routes, so a new page is swept without being named here. A route with a record id in its path is
opened with a recorded record (record_pages), or named in NOT_SWEPT with the reason; a route that answers
something other than a page (JSON, PDF, CSV, a download, a step of the login) is named in NOT_PAGES. Each page is
checked by axe (WCAG 2.0 A/AA) at 1280 and at 683 px (a 1366 px screen at 200 %), and must not scroll sideways at
683 px. One login, one browser, for all pages (about 90 s for 84 pages).

The back ends answer with the recorded answers of the pages' own tests; a call none of them covers answers 503 (the
page would show that the service does not answer) and fails the sweep, naming the call."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.main import ROUTERS
from gateway.web import errors
from tbms_core.auth import Access, Area
from tbms_core.clock import frozen_at, jst

from ..chromium import NARROW, WIDTH, at_width, axe_violations, sideways
from ..conftest import (
    CONTACTS,
    IDENTITY,
    MASTERS,
    PATIENT,
    PATIENT_ID,
    PATIENTS,
    REPORTS,
    WORKFLOW,
    FakeKeycloakType,
    Login,
    logged_in_chromium,
    mock_usage,
    with_roles,
)
from .admin.test_access_review_pages import CALENDAR, FINDING_ID, finding
from .admin.test_history_pages import scanner_status
from .admin.test_retention_pages import DELETION, due
from .admin.test_review_browser import RULES, findings
from .admin.test_rights_review_pages import report
from .board import conftest as board
from .contacts import conftest as contacts
from .documents import conftest as documents
from .documents import test_templates as templates
from .dots import conftest as dots
from .dots import test_course_ltbi_settings as ltbi
from .masters import conftest as masters
from .masters import test_import_pages as imports
from .requests import conftest as requests
from .todos.test_circulation_pages import CIRCULATION_ID, circulation
from .todos.test_todo_pages import TODO_ID, todo
from .transfers import test_transfer_sending as transfer

# Every area at 更新 (an administrator who is also a nurse), so no page is refused.
ALL_ROLES = [f"{area}:update" for area in ("patients", "contacts", "review", "forms", "stats", "documents")] + [
    f"{area}:update" for area in ("masters", "users", "audit")
]

# Routes that answer no page of their own, and why.
NOT_PAGES = {
    "/login": "starts the login at Keycloak",
    "/auth/callback": "Keycloak's return after the login",
    "/session/remaining": "JSON for the session timer",
    "/health/maintenance": "JSON: the planned stops, for the operations log",
    "/patients/new/nurse": "a fragment: the proposed 担当保健師 for an address",
    "/patients/planned-end": "a fragment: the planned end of treatment",
    "/patients/birth-date-preview": "a fragment: the birth date read back",
    "/patients/export": "a CSV file",
    "/patients/{patient_id:uuid}/packages/{package_id:uuid}": "a download",
    "/contacts/export": "a CSV file",
    "/contacts/date-preview": "a fragment: a date read back",
    "/contacts/forms/F18": "a PDF",
    "/contacts/{contact_id:uuid}/forms/{form}": "a PDF",
    "/contacts/index-patients/{patient_id:uuid}/F05": "a PDF",
    "/contacts/reception/F25": "a PDF",
    "/contacts/reception/F24": "a PDF",
    "/contacts/{contact_id:uuid}/notices/F29": "a PDF",
    "/requests/{request_id:uuid}/packages/{package_id:uuid}": "a download",
    "/requests/{request_id:uuid}/letter/{form}": "a PDF",
    "/board/{what}/{record_id:uuid}/print": "a PDF",
    "/search/suggest": "JSON for the search box",
    "/documents/files/{attachment_id:uuid}/preview": "the stored file itself",
    "/documents/files/{attachment_id:uuid}/download": "a download",
    "/documents/forms/{form}/preview": "a PDF",
    "/documents/batches/{batch_id:uuid}/progress": "JSON for the progress bar",
    "/documents/batches/{batch_id:uuid}/pdf": "a PDF",
    "/documents/templates/{form}/preview": "a PDF",
    "/documents/templates/{form}/source": "the template's source text",
    "/documents/{document_id:uuid}": "a PDF",
    "/masters/{kind}/suggest": "JSON for the pickers",
    "/masters/{kind}/picked": "JSON for the pickers",
    "/masters/{kind}/export.{file_format}": "a CSV or Excel file",
    "/admin/logins/export.csv": "a CSV file",
    "/admin/audit/export.csv": "a CSV file",
    "/admin/usage/export.csv": "a CSV file",
    "/postal-codes/{postal_code}": "JSON: the address of a postal code",
    "/text-check": "JSON: the 外字 check",
}


def record_pages() -> dict[str, str]:
    """Routes with ids in their path, and the page of a recorded record each is opened with."""
    contact = contacts.CONTACT["id"]
    group = requests.RECORDED["group"]
    preview = requests.RECORDED["preview"]
    request = requests.RECORDED["request_answered"]
    return {
        "/patients/{patient_id:uuid}": f"/patients/{PATIENT_ID}",
        "/patients/{patient_id:uuid}/history/print": f"/patients/{PATIENT_ID}/history/print",
        "/contacts/index-patients/{patient_id:uuid}": f"/contacts/index-patients/{contacts.INDEX_ID}",
        "/contacts/{contact_id:uuid}": f"/contacts/{contact}",
        "/contacts/{contact_id:uuid}/history": f"/contacts/{contact}/history",
        "/requests/groups/{group_id:uuid}": f"/requests/groups/{group['id']}",
        "/requests/groups/{group_id:uuid}/imports/{import_id:uuid}": (
            f"/requests/groups/{preview['group_id']}/imports/{preview['id']}"
        ),
        "/dots/patients/{patient_id:uuid}": f"/dots/patients/{dots.PATIENT_ID}",
        "/dots/patients/{patient_id:uuid}/plan": f"/dots/patients/{dots.PATIENT_ID}/plan",
        "/dots/patients/{patient_id:uuid}/assessment": f"/dots/patients/{dots.PATIENT_ID}/assessment",
        "/board/sessions/{session_id:uuid}": f"/board/sessions/{board.SESSION_ID}",
        "/board/cases/{case_id:uuid}": f"/board/cases/{board.FIRST}",
        "/board/patients/{patient_id:uuid}": f"/board/patients/{board.PATIENT['id']}",
        "/documents/{kind}/{owner_id:uuid}/files": f"/documents/patients/{PATIENT_ID}/files",
        "/masters/{kind}": "/masters/institution",
        "/masters/{kind}/new": "/masters/institution/new",
        "/masters/{kind}/{code}": f"/masters/institution/{masters.CODE}",
        "/help/manuals/{name}": "/help/manuals/user",
        "/help/pages/{slug}": "/help/pages/patients-new",
        "/admin/help/{slug}": "/admin/help/patients-new",
        "/requests/{request_id:uuid}": f"/requests/{request['id']}",
        "/documents/batches/{batch_id:uuid}": f"/documents/batches/{documents.BATCH_ID}",
        "/admin/access-review/{finding_id}": f"/admin/access-review/{FINDING_ID}",
        "/circulations/{circulation_id}": f"/circulations/{CIRCULATION_ID}",
        "/admin/users/{user_id}": f"/admin/users/{USER_ID}",
        "/requests/new": f"/requests/new?index_patient_id={requests.INDEX_ID}",
        "/requests/groups/new": f"/requests/groups/new?index_patient_id={requests.INDEX_ID}",
        "/patients/{patient_id:uuid}/transfers/{record_id:uuid}/sending": transfer.PAGE,
        "/dots/patients/{patient_id:uuid}/ltbi/{treatment_id:uuid}": ltbi.LTBI,
        "/documents/templates/{form}": templates.PAGE,
        "/masters/{kind}/import": "/masters/institution/import",
        "/masters/{kind}/imports/{import_id}": f"/masters/institution/imports/{imports.IMPORT_ID}",
        "/contacts/index-patients/{patient_id:uuid}/cluster": f"/contacts/index-patients/{requests.INDEX_ID}/cluster",
        "/dots/patients/{patient_id:uuid}/course": f"/dots/patients/{dots.PATIENT_ID}/course",
        "/dots/patients/{patient_id:uuid}/outcomes/{treatment_id:uuid}": (
            f"/dots/patients/{dots.PATIENT_ID}/outcomes/{dots.TREATMENT_ID}"
        ),
        "/documents/forms/{form}/check": f"/documents/forms/F03/check?patient_id={PATIENT_ID}",
        "/admin/access/groups/{group_id}": f"/admin/access/groups/{GROUP_ID}",
        "/admin/access/users/{user_id}": f"/admin/access/users/{USER_ID}",
        "/todos/{todo_id}/reassign": f"/todos/{TODO_ID}/reassign?scope=team&due=overdue",
    }


# Routes with ids that are not swept yet, and why (each is a page of its own to be added to RECORDS).
NOT_SWEPT = {
    "/followup": "test_followup_browser checks it at 1280 and 683 px against the real patients service",
    "/followup/settings": "test_followup_browser checks it at 1280 and 683 px against the real patients service",
    "/followup/patients/{patient_id:uuid}": "test_followup_browser checks it at 1280 and 683 px (real patients)",
    "/followup/patients/{patient_id:uuid}/investigation": "test_followup_browser checks it at 1280 and 683 px",
    "/admin/help/{slug}/versions/{number}": "needs a saved version; it shows the editor swept as /admin/help/{slug}",
}


def get_routes() -> list[str]:
    """The path of every GET route of the gateway, as the routers declare it."""

    def walk(routes: list[Any], prefix: str) -> Iterator[str]:
        for route in routes:
            if hasattr(route, "original_router"):  # a router included into another
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif "GET" in (getattr(route, "methods", None) or ()):
                yield prefix + route.path

    return [path for router in ROUTERS for path in walk(router.routes, "")]


def swept_pages() -> list[str]:
    """The pages the sweep opens: every GET route that is a page, with recorded ids where the path needs them."""
    records = record_pages()
    pages = []
    for route in get_routes():
        if route in NOT_PAGES or route in NOT_SWEPT:
            continue
        pages.append(records.get(route, route))
    return pages


class TestTheListOfPages:
    def test_each_route_is_swept_or_said_why_not(self) -> None:
        routes = get_routes()
        records = record_pages()
        unnamed = [r for r in routes if "{" in r and r not in records and r not in NOT_PAGES and r not in NOT_SWEPT]
        # a page that needs a query (the index patient of a new request) is in record_pages too
        assert unnamed == [], "a route with an id needs a recorded record (record_pages) or a reason (NOT_SWEPT)"
        stale = [r for r in [*NOT_PAGES, *NOT_SWEPT, *records] if r not in routes]
        assert stale == [], "named routes the gateway no longer has"
        assert len(swept_pages()) >= 80


# identity's answers as the admin pages' own tests give them
REVIEW_SUMMARY = {
    "since": "2026-11-01",
    "until": "2026-11-30",
    "total": 5,
    "unreviewed": 1,
    "lines": [
        {
            "rule": "bulk_export",
            "rule_name": "大量出力",
            "total": 5,
            "by_status": {"未確認": 1, "確認済・問題なし": 3, "要確認": 0, "指導": 1},
        }
    ],
}
USER_ID = "3c9d2e1f-4a5b-4c6d-8e7f-901a2b3c4d5e"
ACCOUNT = {
    "id": USER_ID,
    "username": "nurse_sato",
    "last_name": "試験",
    "first_name": "佐藤",
    "email": "",
    "enabled": True,
    "district": "世田谷",
    "job_title": "保健師",
    "groups": ["保健師"],
    "locked": False,
    "required_actions": [],
}
GROUP_ID = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"


def matrix(matrix_id: str, name: str, direct: Access, granted: Access) -> dict[str, Any]:
    """identity's access matrix of a user or group (each area as identity's AreaAccess reads it)."""
    areas = []
    for area in Area:
        level = max(direct, granted)
        names = {Access.UPDATE: "update", Access.READ: "read", Access.NONE: "none"}
        inherited = ["保健師"] if granted > Access.NONE else []
        row = {"area": str(area), "label": area.label, "level": names[level], "level_label": level.label}
        areas.append(row | {"direct": names[direct], "inherited_from": inherited})
    return {"id": matrix_id, "name": name, "areas": areas}


CHANGES = {
    "starts": [
        {"started_at": "2026-12-01T01:00:00Z", "service": "patients", "environment": "production",
         "version": "1.5.0", "commit": "", "migration": "0008", "host": "app-1", "started_by": "運用担当",
         "changes": ["版の変更 1.4.0 → 1.5.0", "マイグレーション 0007 → 0008"]},
    ],
    "configuration": [
        {"occurred_at": "2026-12-01T02:00:00Z", "username": "admin1", "service": "identity",
         "operation": "update", "record_type": "access_group", "record_id": "g1", "detail": "保健師"}
    ],
    "realm": [
        {"time": "2026-12-01T03:00:00Z", "operation": "UPDATE", "resource_type": "USER",
         "resource_path": "users/u-1/reset-password", "admin_username": "kc-operator",
         "ip_address": "192.0.2.5", "fields": ["temporary", "type", "value"], "error": "",
         "description": "利用者のパスワード再設定"}
    ],
}  # fmt: skip
AUDIT_INTACT = {"ok": True, "checked": 40, "last_seq": 40, "message": "操作履歴 40 件に改ざんはありません。"}


@pytest.fixture
def recorded_answers(backends: respx.MockRouter) -> Iterator[respx.MockRouter]:
    """The back ends answer every swept page with the recorded fixtures of the pages' own tests."""
    templates.mock_versions(backends)
    transfer.mock_move(backends)  # the patient page, whose patient has a 転出 (its sending page)
    ltbi.mock_ltbi(backends)  # the DOTS patient's course has tests, side effects and an LTBI course
    imports.mock_import(backends, imports.preview(imports.CHANGED, imports.NEW, imports.UNCHANGED, imports.WRONG))
    nothing = httpx.Response(200, json={"items": [], "total": 0})
    backends.get(f"{IDENTITY}/logins").mock(return_value=nothing)
    backends.get(f"{IDENTITY}/audit/events").mock(return_value=nothing)
    mock_usage(backends)  # 利用統計's twelve months
    component = {
        "component": "search",
        "up": True,
        "since": "2026-12-01T01:00:00Z",
        "checked_at": "2026-12-01T01:05:00Z",
    }
    entry = {"occurred_at": "2026-12-01T01:00:00Z", "kind": "component_up", "component": "search", "details": {}}
    operations = {"items": [entry], "total": 1, "offset": 0, "limit": 50, "components": [component]}
    backends.get(f"{IDENTITY}/operations-log").mock(
        return_value=httpx.Response(200, json=operations | {"retention_days": 1096.0})
    )
    backends.get(f"{IDENTITY}/logins/me/last").mock(
        return_value=httpx.Response(200, json={"previous_login": None, "last_logout": None})
    )
    backends.get(f"{PATIENTS}/patients").mock(
        return_value=httpx.Response(200, json={"items": [PATIENT] * 3, "total": 120})
    )
    nurses = json.loads((Path(__file__).parent / "patients" / "nurse_lookup.json").read_text(encoding="utf-8"))
    backends.routes["staff"].mock(return_value=httpx.Response(200, json=nurses["staff_assignment"]))  # chosen by name
    board.mock_board(backends)
    dots.mock_dots_patient(backends)
    dots.mock_day_sheet(backends)
    dots.mock_cohort(backends)
    contacts.mock_contact(backends)
    contacts.mock_index(backends, [contacts.CONTACT, contacts.CHILD])
    requests.mock_board(backends)
    requests.mock_new(backends)
    requests.mock_request(backends, requests.RECORDED["request_answered"])
    requests.mock_group(backends, requests.RECORDED["group"])
    requests.mock_preview(backends, requests.RECORDED["preview"])
    documents.mock_forms(backends)
    backends.get(f"{REPORTS}/forms/F03/check").mock(return_value=httpx.Response(200, json=documents.CHECK))
    backends.get(f"{CONTACTS}/index-cases/{requests.INDEX_ID}/cluster").mock(
        return_value=httpx.Response(200, json=requests.RECORDED["cluster"])
    )
    backends.get(f"{dots.DOTS}/outcomes/{dots.TREATMENT_ID}").mock(
        return_value=httpx.Response(200, json=dots.RECORDED["outcome"])
    )
    masters.mock_masters(backends)
    backends.get(f"{MASTERS}/masters/institution").mock(
        return_value=httpx.Response(200, json={"items": [masters.INSTITUTION], "total": 1})
    )
    documents.mock_files_page(backends)
    backends.get(f"{REPORTS}/batches").mock(return_value=httpx.Response(200, json=[documents.batch()]))
    backends.get(f"{REPORTS}/batches/{documents.BATCH_ID}").mock(
        return_value=httpx.Response(200, json=documents.batch())
    )
    backends.get(f"{REPORTS}/scanner").mock(return_value=httpx.Response(200, json=scanner_status("ok")))
    backends.get(f"{IDENTITY}/access-review/rules").mock(return_value=httpx.Response(200, json=RULES))
    backends.get(f"{IDENTITY}/access-review/findings").mock(return_value=httpx.Response(200, json=findings()))
    backends.get(f"{IDENTITY}/access-review/findings/{FINDING_ID}").mock(
        return_value=httpx.Response(200, json=finding())
    )
    backends.get(f"{IDENTITY}/access-review/protected-persons").mock(return_value=httpx.Response(200, json=[]))
    backends.get(f"{IDENTITY}/access-review/summary").mock(return_value=httpx.Response(200, json=REVIEW_SUMMARY))
    backends.get(f"{IDENTITY}/review-calendar").mock(return_value=httpx.Response(200, json=CALENDAR))
    backends.get(f"{IDENTITY}/rights-review").mock(return_value=httpx.Response(200, json=report()))
    backends.get(f"{IDENTITY}/users").mock(return_value=httpx.Response(200, json={"items": [ACCOUNT]}))
    backends.get(f"{IDENTITY}/users/{USER_ID}").mock(return_value=httpx.Response(200, json=ACCOUNT))
    groups = {"groups": [matrix(GROUP_ID, "保健師", Access.READ, Access.NONE)]}
    backends.get(f"{IDENTITY}/access/groups").mock(return_value=httpx.Response(200, json=groups))
    backends.get(f"{IDENTITY}/access/users/{USER_ID}").mock(
        return_value=httpx.Response(200, json=matrix(USER_ID, "試験 佐藤", Access.NONE, Access.READ))
    )
    backends.get(f"{IDENTITY}/audit/verify").mock(return_value=httpx.Response(200, json=AUDIT_INTACT))
    backends.get(f"{PATIENTS}/retention/due").mock(return_value=httpx.Response(200, json=due()))
    backends.get(f"{PATIENTS}/retention/deletions").mock(return_value=httpx.Response(200, json=[DELETION]))
    backends.get(f"{IDENTITY}/changes").mock(return_value=httpx.Response(200, json=CHANGES))
    inbox = {"waiting": [circulation()], "sent": [], "sent_back": [], "to_read": [], "badge": 1}
    backends.get(f"{WORKFLOW}/circulations/inbox").mock(return_value=httpx.Response(200, json=inbox))
    backends.get(f"{WORKFLOW}/circulations/{CIRCULATION_ID}").mock(return_value=httpx.Response(200, json=circulation()))
    # the recorded overdue to-do: in the list, and on its own reassign page (with the staff of the nurse lookup)
    backends.routes["todos"].mock(return_value=httpx.Response(200, json={"items": [todo()], "total": 1}))
    backends.get(f"{WORKFLOW}/todos/{TODO_ID}").mock(return_value=httpx.Response(200, json=todo()))
    # What no recorded answer covers answers as a back end that is down (the sweep then names the call).
    down = httpx.Response(503, json={"detail": "一時的に利用できません。"})
    backends.route(host__regex=r"\.test$", name="not-recorded").mock(return_value=down)
    with frozen_at(jst(2026, 12, 3, 10)):
        yield backends


# The titles of the gateway's error pages (a page showing one did not open as it should).
ERROR_TITLES = tuple(
    kind.title
    for kind in vars(errors).values()
    if isinstance(kind, type) and isinstance(getattr(kind, "title", None), str)
)


@pytest.mark.req("N10", partial=True)
@pytest.mark.req("N12", partial=True)
@pytest.mark.req("N31", partial=True)
@pytest.mark.req("R27", partial=True)
class TestEveryPage:
    async def test_axe_finds_nothing_at_1280_and_683_px_and_nothing_scrolls_sideways(
        self,
        served: str,
        login: Login,
        keycloak: FakeKeycloakType,
        recorded_answers: respx.MockRouter,
    ) -> None:
        with_roles(keycloak, ALL_ROLES)
        started = time.monotonic()
        found: dict[str, list[str]] = {}
        broken: dict[str, str] = {}
        async with logged_in_chromium(served, login, "/") as browser:
            for path in swept_pages():
                await at_width(browser, WIDTH)
                await browser.go(f"{served}{path}")
                title = await browser.run("return document.title;")
                if title.startswith(ERROR_TITLES):
                    broken[path] = title
                    continue
                found[f"{path} @{WIDTH}"] = await axe_violations(browser)
                await at_width(browser, NARROW)
                found[f"{path} @{NARROW}"] = [*await axe_violations(browser), *await sideways(browser)]
        print(f"{len(found) // 2} pages swept in {time.monotonic() - started:.0f} s")
        unrecorded = {
            str(call.request.url.copy_with(query=None)) for call in recorded_answers.routes["not-recorded"].calls
        }
        assert broken == {}, "pages that did not open"
        assert sorted(unrecorded) == [], "back-end calls without a recorded answer"
        assert {page: problems for page, problems in found.items() if problems} == {}
