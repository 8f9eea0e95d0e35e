"""The transmission picture through the API: index → contacts → a contact who fell ill and was registered as a
patient → that patient's contacts; only for users who may read contacts."""

import asyncio
from datetime import date

import pytest
from sqlalchemy import text
from tbms_core.auth import Access, Area
from tbms_testing import auth_headers
from tbms_testing.keycloak_users import AccessUser, log_in_all


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (接触者管理 更新)."""
    return auth_headers("nurse1")


async def contact_of(client, index_id, name: str, birth: str, **extra) -> dict:
    body = {
        "name": name,
        "birth_date": birth,
        "exposures": [{"index_patient_id": str(index_id), "setting": "household"}],
        **extra,
    }
    response = await client.post("/contacts", json=body, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.req("R12", partial=True)
async def test_a_contact_who_fell_ill_links_to_their_own_contacts(client, make_index_case) -> None:
    first = await make_index_case("試験 一次")
    ill = await contact_of(client, first, "試験 二次", "1990-02-03")
    well = await contact_of(client, first, "試験 健康", "1991-01-01")
    change = {"version": ill["version"], "changes": {"outcome": "disease"}}
    assert (await client.patch(f"/contacts/{ill['id']}", json=change, headers=nurse())).status_code == 200
    second = await make_index_case("試験　二次")  # registered as a patient; the same name folded, same birth date
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        await session.execute(
            text("UPDATE index_cases SET birth_date = :b WHERE patient_id = :p"), {"b": date(1990, 2, 3), "p": second}
        )
    third = await contact_of(client, second, "試験 三次", "2000-05-05")
    cluster = (await client.get(f"/index-cases/{first}/cluster", headers=auth_headers("viewer1"))).json()
    kinds = {n["name"]: (n["kind"], n["generation"]) for n in cluster["nodes"]}
    assert kinds == {
        "試験 一次": ("index", 0),
        "試験 二次": ("contact", 1),
        "試験 健康": ("contact", 1),
        "試験　二次": ("patient", 2),
        "試験 三次": ("contact", 3),
    }
    edges = {(e["source"], e["target"], e["kind"]) for e in cluster["edges"]}
    assert (f"c:{ill['id']}", f"p:{second}", "became_patient") in edges
    assert (f"p:{second}", f"c:{third['id']}", "exposure") in edges
    assert (f"p:{first}", f"c:{well['id']}", "exposure") in edges
    assert "氏名と生年月日" in cluster["basis"]


@pytest.mark.req("R12", partial=True)
async def test_a_contact_linked_to_a_patient_leads_to_that_patient_whatever_the_name(client, make_index_case) -> None:
    first = await make_index_case("試験 一次")
    patient = await make_index_case("旧姓 花子", name_kana="キュウセイ ハナコ", birth_date=date(1985, 7, 7))
    ill = await contact_of(client, first, "新姓 花子", "1985-07-07", patient_id=str(patient))  # married since
    change = {"version": ill["version"], "changes": {"outcome": "disease"}}
    assert (await client.patch(f"/contacts/{ill['id']}", json=change, headers=nurse())).status_code == 200
    cluster = (await client.get(f"/index-cases/{first}/cluster", headers=nurse())).json()
    edges = {(e["source"], e["target"], e["kind"]) for e in cluster["edges"]}
    assert (f"c:{ill['id']}", f"p:{patient}", "became_patient") in edges
    assert "結び付けた患者" in cluster["basis"]


@pytest.mark.req("R12", partial=True)
async def test_a_user_without_contacts_access_gets_no_picture(client, make_index_case) -> None:
    index = await make_index_case()
    patients_only = AccessUser.of({Area.PATIENTS: Access.UPDATE})
    token = (await asyncio.to_thread(log_in_all, [patients_only]))[patients_only]
    refused = await client.get(f"/index-cases/{index}/cluster", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and "接触者管理" in refused.json()["detail"]
