"""様式改正 and printing checks through the API: effective-dated template versions, preview, missing data."""

from __future__ import annotations

import subprocess
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import httpx
import pytest
from reports.forms.render import TEMPLATES
from tbms_contracts.patients import PatientSnapshot
from tbms_core import clock
from tbms_testing import auth_headers, wait_for

SummaryOf = Callable[[str], Awaitable[object]]
F03_HTML = (TEMPLATES / "f03.html").read_text()
CSS = (TEMPLATES / "forms.css").read_text()


def pdf_text(pdf: bytes) -> str:
    """The text poppler extracts from a PDF."""
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def revised(marker: str) -> str:
    """The F03 template with a line of text added at its top: how a 様式改正 shows on paper here."""
    return F03_HTML.replace("{% block content %}", f"{{% block content %}}<p>{marker}</p>", 1)


async def upload_template(
    client: httpx.AsyncClient, effective_from: date, html: str, *, revision: str = "2", user: str = "admin1"
) -> httpx.Response:
    """POST /forms/F03/templates as a demo user."""
    body = {"revision": revision, "effective_from": effective_from.isoformat(), "html": html, "css": CSS}
    return await client.post("/forms/F03/templates", json=body, headers=auth_headers(user))


async def print_on(client: httpx.AsyncClient, patient_id: str, on: date | None) -> dict:
    """Prints F03 for a day and returns the document."""
    body = {"form": "F03", "patient_id": patient_id, **({"on": on.isoformat()} if on else {})}
    response = await client.post("/documents", json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    return response.json()


async def content(client: httpx.AsyncClient, document: dict) -> str:
    """The text of a stored document."""
    response = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))
    return pdf_text(response.content)


def far_future(offset_days: int) -> date:
    """A day no other test run's template takes effect on (the database lives for the whole session)."""
    return date(2100, 1, 1) + timedelta(days=offset_days)


@pytest.mark.req("R33", partial=True)
class TestEffectiveDatedTemplates:
    """A form printed for a day uses the template version in force on that day; a printed form keeps its version."""

    async def test_the_version_in_force_on_the_day_prints_and_earlier_documents_keep_theirs(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        takes_effect = far_future(10)
        before = await print_on(client, registered_patient.id, takes_effect - timedelta(days=1))
        uploaded = await upload_template(client, takes_effect, revised("令和百年改正様式"))
        assert uploaded.status_code == 201, uploaded.text
        version = uploaded.json()["template_version"]
        assert version.startswith("2+")

        on_the_day = await print_on(client, registered_patient.id, takes_effect)
        day_before = await print_on(client, registered_patient.id, takes_effect - timedelta(days=1))

        assert on_the_day["template_version"] == version
        assert "令和百年改正様式" in await content(client, on_the_day)
        assert day_before["template_version"] == before["template_version"] != version
        assert "令和百年改正様式" not in await content(client, day_before)
        assert "令和百年改正様式" not in await content(client, before)
        assert on_the_day["data_version"].startswith(f"p{registered_patient.version}+")

    async def test_a_new_version_is_previewed_with_a_real_record_before_it_takes_effect(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        uploaded = (await upload_template(client, far_future(20), revised("プレビュー確認用"))).json()
        listed = await client.get(f"/documents?patient_id={registered_patient.id}", headers=auth_headers("admin1"))
        response = await client.get(
            f"/forms/F03/preview?patient_id={registered_patient.id}&template_id={uploaded['id']}",
            headers=auth_headers("admin1"),
        )
        assert response.status_code == 200, response.text
        text = pdf_text(response.content)
        assert "プレビュー確認用" in text and registered_patient.name in text
        today_print = await client.get(
            f"/forms/F03/preview?patient_id={registered_patient.id}", headers=auth_headers("admin1")
        )
        assert "プレビュー確認用" not in pdf_text(today_print.content)
        again = await client.get(f"/documents?patient_id={registered_patient.id}", headers=auth_headers("admin1"))
        assert again.json()["total"] == listed.json()["total"], "a preview is not stored"

    async def test_the_versions_are_listed_with_the_one_in_force_today(self, client: httpx.AsyncClient) -> None:
        await upload_template(client, far_future(30), revised("一覧確認用"))
        versions = (await client.get("/forms/F03/templates", headers=auth_headers("viewer1"))).json()
        in_force = [v for v in versions if v["in_force"]]
        assert len(in_force) == 1 and (in_force[0]["effective_from"] or "") <= clock.today().isoformat()
        assert versions[-1]["id"] is None, "the built-in version comes last"

    async def test_only_administrators_upload_and_a_broken_template_is_refused(self, client: httpx.AsyncClient) -> None:
        refused = await upload_template(client, far_future(40), revised("x"), user="nurse1")
        assert refused.status_code == 403
        broken = await upload_template(client, far_future(41), "{% block content %}{% if %}")
        assert broken.status_code == 422
        assert "様式のHTMLの1行目を読み取れません" in broken.json()["errors"]["html"]
        taken = await upload_template(client, far_future(42), revised("a"))
        twice = await upload_template(client, far_future(42), revised("b"))
        assert (taken.status_code, twice.status_code) == (201, 422)

    async def test_an_uploaded_template_runs_in_a_sandbox(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        html = (
            '{% extends "base.html" %}{% block content %}{{ "".__class__.__mro__[1].__subclasses__() }}{% endblock %}'
        )
        uploaded = (await upload_template(client, far_future(50), html)).json()
        response = await client.get(
            f"/forms/F03/preview?patient_id={registered_patient.id}&template_id={uploaded['id']}",
            headers=auth_headers("admin1"),
        )
        assert response.status_code == 422
        assert response.json()["detail"].startswith("様式の版")


@pytest.mark.req("R18", partial=True)
class TestMissingData:
    """Before printing, the required items that would print empty are listed with the section to fill them in."""

    async def test_a_patient_without_notification_or_disease_lists_those_items(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        response = await client.get(
            f"/forms/F03/check?patient_id={registered_patient.id}", headers=auth_headers("nurse1")
        )
        assert response.status_code == 200, response.text
        missing = {(m["label"], m["section"]) for m in response.json()["missing"]}
        assert missing == {
            ("職業", "basic-title"),
            ("届出医師", "notification-title"),
            ("届出年月日", "notification-title"),
            ("届出医療機関", "notification-title"),
            ("病名", "disease-title"),
            ("診断日", "disease-title"),
        }

    async def test_a_complete_card_has_nothing_missing(
        self,
        client: httpx.AsyncClient,
        make_patient: Callable[..., PatientSnapshot],
        publish_patient: Callable[[PatientSnapshot], Awaitable[object]],
        summary_of: SummaryOf,
        card: dict[str, object],
    ) -> None:
        snapshot = make_patient(**card)
        await publish_patient(snapshot)
        await wait_for(lambda: summary_of(snapshot.id), timeout=15)
        response = await client.get(f"/forms/F03/check?patient_id={snapshot.id}", headers=auth_headers("nurse1"))
        assert response.json()["missing"] == []

    async def test_the_forms_list_names_the_required_items(self, client: httpx.AsyncClient) -> None:
        forms = (await client.get("/forms", headers=auth_headers("viewer1"))).json()
        f03 = next(f for f in forms if f["id"] == "F03")
        assert (
            f03["genre"] == "患者管理" and {"label": "氏名", "key": "name", "section": "basic-title"} in f03["required"]
        )


@pytest.mark.req("R33", partial=True)
async def test_a_new_version_starts_from_the_source_of_the_built_in_or_an_uploaded_version(
    client: httpx.AsyncClient,
) -> None:
    builtin = await client.get("/forms/f03/templates/source", headers=auth_headers("admin1"))
    assert builtin.status_code == 200
    assert (builtin.json()["html"], builtin.json()["css"], builtin.json()["builtin"]) == (F03_HTML, CSS, True)
    uploaded = await upload_template(client, far_future(900), revised("様式の元になる版"), revision="9")
    assert uploaded.status_code == 201, uploaded.text
    source = await client.get(
        "/forms/F03/templates/source", params={"template_id": uploaded.json()["id"]}, headers=auth_headers("admin1")
    )
    assert source.json()["html"] == revised("様式の元になる版") and source.json()["revision"] == "9"
    assert source.json()["template_version"] == uploaded.json()["template_version"]
    other_form = await client.get(
        "/forms/F01/templates/source", params={"template_id": uploaded.json()["id"]}, headers=auth_headers("admin1")
    )
    assert other_form.status_code == 404
