"""`tbms search reindex` pages through `GET /patients`: it begins a rebuild first, names it on every page, and
skips nobody (R22)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from tbms_tools.reindex import rebuild

REBUILD = "0123456789abcdef0123456789abcdef"


class Patients:
    """`GET /patients` newest first, paged by offset, over a list the test may change between pages."""

    def __init__(self, count: int) -> None:
        self.records = [{"id": f"p{number:03d}", "version": 1} for number in range(count)]
        self.after_page: Callable[[int], None] = lambda _: None
        self.reads = 0
        self.log: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        page = {"items": self.records[offset : offset + limit], "total": len(self.records)}
        self.reads += 1
        self.log.append(f"GET {offset}")
        self.after_page(self.reads)
        return httpx.Response(200, json=page)


class Search:
    """`POST /admin/reindex`, remembering every batch."""

    def __init__(self, log: list[str]) -> None:
        self.batches: list[dict] = []
        self.log = log

    def __call__(self, request: httpx.Request) -> httpx.Response:
        batch = json.loads(request.content)
        self.batches.append(batch)
        self.log.append("POST reset" if batch["reset"] else "POST done" if batch["done"] else "POST")
        count = len(batch.get("patients", [])) + len(batch.get("contacts", []))
        answer = {"received": count, "indexed": count, "current": 0, "skipped": 0}
        return httpx.Response(200, json=answer | ({"rebuild_id": REBUILD} if batch["reset"] else {}))

    def sent(self) -> list[str]:
        """Every patient id posted, in order."""
        return [item["id"] for batch in self.batches for item in batch["patients"]]


def run(patients: Patients, page_size: int = 10) -> Search:
    """Runs a rebuild against the fakes."""
    search = Search(patients.log)
    with (
        httpx.Client(base_url="http://patients", transport=httpx.MockTransport(patients)) as patients_client,
        httpx.Client(base_url="http://search", transport=httpx.MockTransport(search)) as search_client,
    ):
        rebuild(patients_client, search_client, page_size=page_size, report=lambda _: None)
    return search


@pytest.mark.req("R22", partial=True)
class TestRebuild:
    """The order of a rebuild's requests, and what it sends."""

    def test_the_rebuild_begins_before_the_first_page_is_read_and_is_swapped_in_after_the_last(self) -> None:
        patients = Patients(25)
        search = run(patients)
        assert patients.log[:2] == ["POST reset", "GET 0"] and patients.log[-1] == "POST done"
        assert search.batches[0]["patients"] == [] and search.batches[-1]["patients"] == []
        assert sorted(search.sent()) == [record["id"] for record in patients.records]

    @pytest.mark.req("R28", partial=True)
    def test_every_page_after_the_reset_names_the_rebuild_it_began(self) -> None:
        search = run(Patients(25))
        assert "rebuild_id" not in search.batches[0]
        assert {batch.get("rebuild_id") for batch in search.batches[1:]} == {REBUILD}

    def test_records_deleted_ahead_of_the_cursor_do_not_make_others_skipped(self) -> None:
        patients = Patients(40)
        survivors = set()

        def delete_some(reads: int) -> None:
            if reads == 1:  # after the first page, eight of its records are deleted
                del patients.records[0:8]
                survivors.update(record["id"] for record in patients.records)

        patients.after_page = delete_some
        search = run(patients)
        assert survivors <= set(search.sent())

    def test_records_registered_meanwhile_make_no_record_skipped_nor_sent_twice(self) -> None:
        patients = Patients(30)

        def register(reads: int) -> None:
            if reads in (1, 2):  # newest first: new registrations push everyone back
                patients.records[:0] = [{"id": f"new{reads}{number}", "version": 1} for number in range(4)]

        patients.after_page = register
        search = run(patients)
        sent = search.sent()
        assert {f"p{number:03d}" for number in range(30)} <= set(sent) and len(sent) == len(set(sent))

    def test_an_empty_system_still_opens_and_closes_the_rebuild(self) -> None:
        patients = Patients(0)
        assert [entry for entry in run(patients).log if entry.startswith("POST")] == ["POST reset", "POST", "POST done"]

    def test_contacts_are_sent_after_every_patient_under_their_own_key(self) -> None:
        patients, contacts = Patients(12), Patients(7)
        contacts.records = [{"id": f"c{number:03d}", "version": 2} for number in range(7)]
        search = Search(patients.log)
        with (
            httpx.Client(base_url="http://p", transport=httpx.MockTransport(patients)) as patients_client,
            httpx.Client(base_url="http://c", transport=httpx.MockTransport(contacts)) as contacts_client,
            httpx.Client(base_url="http://s", transport=httpx.MockTransport(search)) as search_client,
        ):
            rebuild(patients_client, search_client, page_size=5, report=lambda _: None, contacts=contacts_client)
        kinds = [next(key for key in ("patients", "contacts") if batch.get(key)) for batch in search.batches[1:-1]]
        assert kinds == ["patients"] * 4 + ["contacts"] * 2  # pages of 5 overlapping by 2
        sent = [item["id"] for batch in search.batches for item in batch.get("contacts", [])]
        assert sent == [record["id"] for record in contacts.records]
        assert search.batches[-1]["done"] and contacts.log == ["GET 0", "GET 3"]  # pages overlap as patients' do
