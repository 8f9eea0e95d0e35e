"""Contacts in the one search box: indexed from the contacts service's events, shown with their index patient and
district, guarded by the 接触者管理 area, and rebuilt by `tbms search reindex` (R22)."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from search.indexing.consumers import on_contact_changed, on_patient_changed
from search.indexing.schemas import PatientBatch
from search.indexing.service import ReindexService
from search.query.service import SearchService
from tbms_contracts.contacts import ContactRegistered, ContactSnapshot, ContactUpdated, ExposureSnapshot
from tbms_core import parking
from tbms_core.auth import Principal
from tbms_core.errors import AccessDenied
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.consumers import running_consumer
from tbms_testing.events import patient_event, publish


def contact_event(
    contact_id: uuid.UUID, version: int, name: str, index_ids: list[uuid.UUID], **fields: object
) -> Envelope:
    """A ContactRegistered (version 1) or ContactUpdated envelope of a synthetic contact born 2015-06-01."""
    values: dict[str, object] = {"name_kana": "セッショク ハナコ", "sex": "female", "birth_date": date(2015, 6, 1)}
    exposures = [
        ExposureSnapshot(id=str(uuid.uuid4()), index_patient_id=str(index_id), setting="school")
        for index_id in index_ids
    ]
    snapshot = ContactSnapshot(
        id=str(contact_id),
        version=version,
        found_on=date(2026, 11, 2),
        name=name,
        exposures=exposures,
        **(values | fields),  # type: ignore[arg-type]
    )
    payload = ContactRegistered(contact=snapshot) if version == 1 else ContactUpdated(contact=snapshot)
    return Envelope.of(payload, aggregate_id=contact_id, version=version)


def marker() -> str:
    """A word no other test uses (the affiliation of the contacts of one test), found as free text."""
    return f"学級{uuid.uuid4().hex[:8]}"


async def apply_events(client: httpx.AsyncClient, *envelopes: Envelope) -> None:
    """Runs the patient and contact consumers' code on the events, each in its own transaction (as JetStream
    delivers them), without waiting for NATS."""
    app = client.app  # type: ignore[attr-defined]
    handlers = {"patients": on_patient_changed(app.state.engine), "contacts": on_contact_changed(app.state.engine)}
    for envelope in envelopes:
        async with app.state.db.session() as session:
            await handlers[envelope.type.split(".")[1]](session, envelope)


async def found(client: httpx.AsyncClient, query: str, user: str = "nurse1", **params: object) -> list[dict]:
    """The items the search API returns."""
    response = await client.get("/search", params={"q": query, **params}, headers=auth_headers(user))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def user_with(*roles: str) -> Principal:
    """A synthetic user with exactly these roles."""
    return Principal(user_id="u-roles", username="roles", display_name="権限試験", roles=frozenset(roles))


@pytest.mark.req("R22", partial=True)
class TestContactEvents:
    """A registered contact is found by name, カナ, birth date and school, and shows its index patient."""

    async def test_a_contact_published_through_jetstream_is_found_with_its_index_patient_and_district(
        self, client: httpx.AsyncClient
    ) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        patient = patient_event(patient_id, 1, "発端 一郎", district="砧")
        await found(client, school)  # log in before the clock starts
        await publish(patient, contact_event(contact_id, 1, "接触 花子", [patient_id], affiliation=school))

        async def indexed() -> list[dict]:  # two streams, two consumers: the patient may come second
            items = await found(client, f"せっしょく {school}")
            return [item for item in items if item["id"] == str(contact_id) and item["index_patient"]]

        [item] = await wait_for(indexed, timeout=10)  # type: ignore[misc]
        registration_no = patient.payload["patient"]["registration_no"]
        assert (item["record_type"], item["area"], item["name"], item["name_kana"]) == (
            "contact",
            "contacts",
            "接触 花子",
            "セッショク ハナコ",
        )
        assert item["birth_date_wareki"] == "平成27年6月1日" and item["status"] == "active"
        assert (item["index_patient"], item["district"]) == (f"{registration_no} 発端 一郎", "砧")

    async def test_found_by_kana_width_birth_year_and_the_index_patients_number(
        self, client: httpx.AsyncClient
    ) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        patient = patient_event(patient_id, 1, "発端 二郎", district="北沢")
        await apply_events(client, patient, contact_event(contact_id, 1, "髙橋 花子", [patient_id], affiliation=school))
        registration_no = patient.payload["patient"]["registration_no"]
        for query in (f"ｾｯｼｮｸ {school}", f"高橋 H27 {school}", f"{registration_no} 花子"):
            assert [item["id"] for item in await found(client, query, type="contact")] == [str(contact_id)], query

    async def test_an_older_or_repeated_event_does_not_replace_a_newer_one(self, client: httpx.AsyncClient) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        newest = contact_event(contact_id, 3, "接触 新姓", [patient_id], affiliation=school, status="ended")
        await apply_events(client, patient_event(patient_id, 1, "発端 三郎"), newest, newest)
        await apply_events(client, contact_event(contact_id, 2, "接触 旧姓", [patient_id], affiliation=school))
        [item] = await found(client, school)
        assert (item["name"], item["status"]) == ("接触 新姓", "ended")

    async def test_a_contact_of_two_index_patients_shows_both(self, client: httpx.AsyncClient) -> None:
        first, second, contact_id, school = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), marker()
        events = [patient_event(first, 1, "発端 一", district="玉川"), patient_event(second, 1, "発端 二")]
        await apply_events(
            client, *events, contact_event(contact_id, 1, "接触 両方", [first, second], affiliation=school)
        )
        [item] = await found(client, school)
        numbers = [event.payload["patient"]["registration_no"] for event in events]
        assert item["index_patient"] == f"{numbers[0]} 発端 一、{numbers[1]} 発端 二"
        assert item["district"] == "玉川"

    async def test_a_deleted_contact_disappears(self, client: httpx.AsyncClient) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        await apply_events(client, contact_event(contact_id, 1, "接触 削除", [patient_id], affiliation=school))
        assert len(await found(client, school)) == 1
        deleted = Envelope(
            type="tbms.contacts.contact.deleted.v1", aggregate_id=str(contact_id), aggregate_version=2, payload={}
        )
        await apply_events(client, deleted, patient_event(patient_id, 1, "発端 削除"))
        assert await found(client, school) == []


@pytest.mark.req("R22", partial=True)
class TestIndexPatientChanges:
    """The contact's hit follows its index patient: a contact indexed before the patient, or a district moved."""

    async def test_a_contact_indexed_before_its_index_patient_shows_it_once_the_patient_arrives(
        self, client: httpx.AsyncClient
    ) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        await apply_events(client, contact_event(contact_id, 1, "接触 先行", [patient_id], affiliation=school))
        [before] = await found(client, school)
        assert (before["index_patient"], before["district"]) == ("", "")
        await apply_events(client, patient_event(patient_id, 1, "発端 後着", district="烏山"))
        [after] = await found(client, school)
        assert after["index_patient"].endswith(" 発端 後着") and after["district"] == "烏山"

    async def test_the_index_patients_new_district_and_name_reach_the_contact_and_its_district_filter(
        self, client: httpx.AsyncClient
    ) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        number = f"7{uuid.uuid4().int % 10**8:08d}"
        await apply_events(
            client,
            patient_event(patient_id, 1, "発端 旧名", number, district="世田谷"),
            contact_event(contact_id, 1, "接触 追従", [patient_id], affiliation=school),
            patient_event(patient_id, 2, "発端 新名", number, district="北沢"),
        )
        [item] = await found(client, school, type="contact")
        assert (item["index_patient"], item["district"]) == (f"{number} 発端 新名", "北沢")
        assert [i["id"] for i in await found(client, school, district="北沢")] == [str(contact_id)]
        assert await found(client, school, district="世田谷") == []


@pytest.mark.req("R32")
@pytest.mark.req("R22", partial=True)
class TestContactsArea:
    """Contacts are found only by users who may read the 接触者管理 area."""

    async def test_without_the_contacts_area_no_contact_is_found(self, client: httpx.AsyncClient) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        await apply_events(
            client,
            patient_event(patient_id, 1, "発端 領域"),
            contact_event(contact_id, 1, "接触 領域", [patient_id], affiliation=school),
        )
        app = client.app  # type: ignore[attr-defined]
        async with app.state.db.session() as session:
            patients_only = SearchService(session, user_with("patients:update"), app.state.engine)
            contacts_only = SearchService(session, user_with("contacts:read"), app.state.engine)
            hidden = await patients_only.search(f"接触 {school}", facets=True)
            shown = await contacts_only.search(f"接触 {school}")
            suggested = await patients_only.suggest(f"接触 {school}")
        assert (hidden.items, hidden.total, hidden.facets.get("record_type", {})) == ([], 0, {})
        assert suggested.items == []
        assert [(item.record_type, item.id) for item in shown.items] == [("contact", str(contact_id))]

    async def test_a_clerk_with_contacts_read_finds_the_contact(self, client: httpx.AsyncClient) -> None:
        contact_id, school = uuid.uuid4(), marker()
        await apply_events(client, contact_event(contact_id, 1, "接触 事務", [uuid.uuid4()], affiliation=school))
        assert [item["id"] for item in await found(client, school, user="clerk1")] == [str(contact_id)]


@pytest.mark.req("R22", partial=True)
class TestRebuild:
    """`tbms search reindex` sends the patients, then the contacts as `GET /contacts` lists them."""

    async def test_listed_contacts_are_indexed_with_their_index_patient(self, client: httpx.AsyncClient) -> None:
        patient_id, contact_id, school = uuid.uuid4(), uuid.uuid4(), marker()
        patient = patient_event(patient_id, 1, "発端 再構築", district="砧").payload["patient"]
        listed = contact_event(contact_id, 4, "接触 再構築", [patient_id], affiliation=school).payload["contact"]
        listed |= {"priority": {"value": "top", "suggested": "high", "reason": ""}, "plan": [], "next_due": None}
        batch = {"patients": [patient], "contacts": [listed]}
        response = await client.post("/admin/reindex", json=batch, headers=auth_headers("admin1"))
        assert response.json() == {"received": 2, "indexed": 2, "current": 0, "skipped": 0}
        [item] = await found(client, school)
        assert (item["id"], item["district"]) == (str(contact_id), "砧")
        assert item["index_patient"] == f"{patient['registration_no']} 発端 再構築"


@pytest.mark.req("N18", partial=True)
@pytest.mark.req("R22", partial=True)
async def test_a_contact_event_that_cannot_be_read_is_retried_then_parked_never_dropped(
    client: httpx.AsyncClient,
) -> None:
    app = client.app  # type: ignore[attr-defined]
    handler = on_contact_changed(app.state.engine)
    broken = Envelope(
        type="tbms.contacts.contact.updated.v1",
        aggregate_id=str(uuid.uuid4()),
        aggregate_version=2,
        payload={"contact": {"id": "x", "version": 2}},  # no name, no found_on: not a contact snapshot
    )
    async with running_consumer(handler, consumer_max_deliveries=2, consumer_retry_delays=(0.2,)) as consumer:
        await consumer.publish(broken)
        [parked] = await wait_for(consumer.parked, timeout=15)  # type: ignore[misc]
        assert parked.headers[parking.DELIVERIES] == "2"
        assert "found_on" in parking.error_text(parked.headers[parking.ERROR])
        assert Envelope.model_validate_json(parked.data) == broken and await consumer.applied() == 0


@pytest.mark.req("R32")
async def test_a_page_of_contacts_needs_the_contacts_area_even_when_empty(client: httpx.AsyncClient) -> None:
    app = client.app  # type: ignore[attr-defined]
    auditor = user_with("audit:update", "patients:read")
    async with app.state.db.session() as session:
        service = ReindexService(session, auditor, app.state.engine)
        assert (await service.reindex_patients(PatientBatch(patients=[]))).received == 0
        with pytest.raises(AccessDenied, match="接触者管理"):
            await service.reindex_patients(PatientBatch(contacts=[]))
