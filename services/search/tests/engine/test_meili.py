"""The Meilisearch adapter against recorded HTTP exchanges: the exact JSON it sends, and what it reads back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from search.engine.base import DateRange, IndexState, SearchDocument, SearchFilters, SearchQuery
from search.engine.meili import MeiliEngine, MeiliError
from search.engine.meili_query import filter_expression, to_meili
from search.engine.terms import parse_query
from search.query.schemas import SearchItem

URL = "http://meili.test:7700"
KEY = "test-master-key"
RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
PATIENT_ID = "5f0c6c1e-7d1a-4b7e-9a51-0c2f1d3e4a01"


def load(name: str) -> list[dict[str, Any]]:
    """The exchanges of one recording; a request body "@file.json" refers to another recording file."""
    exchanges = json.loads((RECORDINGS / name).read_text(encoding="utf-8"))["exchanges"]
    for exchange in exchanges:
        body = exchange["request"].get("json")
        if isinstance(body, str) and body.startswith("@"):
            exchange["request"]["json"] = json.loads((RECORDINGS / body[1:]).read_text(encoding="utf-8"))
    return exchanges


class Replay:
    """Answers requests from recordings, strictly in order, checking each request against the recorded one."""

    def __init__(self) -> None:
        self.exchanges: list[dict[str, Any]] = []
        self.position = 0

    def add(self, *names: str) -> None:
        """Appends recordings to play."""
        for name in names:
            self.exchanges += load(name)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert self.position < len(self.exchanges), f"unrecorded request {request.method} {request.url}"
        expected, answer = self.exchanges[self.position]["request"], self.exchanges[self.position]["response"]
        self.position += 1
        assert (request.method, request.url.path) == (expected["method"], expected["path"])
        assert dict(request.url.params) == expected.get("params", {})
        assert request.headers["authorization"] == f"Bearer {KEY}"
        if "json" in expected:
            assert json.loads(request.content) == expected["json"]
        return httpx.Response(answer["status"], json=answer["json"])

    def finished(self) -> bool:
        """True when every recorded exchange was played."""
        return self.position == len(self.exchanges)


@pytest.fixture
def replay() -> Iterator[Replay]:
    """Routes every request to the Meilisearch URL through the replay."""
    player = Replay()
    with respx.mock(base_url=URL, assert_all_called=False) as router:
        router.route().mock(side_effect=player)
        yield player


@pytest.fixture
async def engine() -> AsyncIterator[MeiliEngine]:
    """An adapter that polls tasks without sleeping."""
    engine = MeiliEngine(URL, api_key=KEY, index="records", poll_interval=0)
    yield engine
    await engine.close()


def patient(version: int = 2) -> SearchDocument:
    """The synthetic patient of the recordings."""
    return SearchDocument(
        record_type="patient",
        id=PATIENT_ID,
        version=version,
        area="patients",
        name="髙橋 検証",
        name_kana="タカハシ ケンショウ",
        birth_date=date(1970, 3, 1),
        registration_no="2024-00042",
        status="active",
        active=True,
        phone="03-5555-0101",
        postal_code="154-0017",
        address="東京都世田谷区太子堂9-8-7",
        sex="male",
        district="北部",
        nurse="nurse1",
        registered_on=date(2024, 10, 1),
        diagnosed_on=date(2024, 9, 20),
        numbers=("10131015",),
        texts=("結核研究所",),
    )


class TestStart:
    """The index and its settings are created on start."""

    async def test_creates_the_index_and_applies_settings(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("start_new_index.json")
        await engine.start()
        await engine.start()
        assert replay.finished()

    async def test_an_existing_index_is_fine(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("start_existing_index.json")
        await engine.start()
        assert replay.finished()


class TestIndex:
    """Documents carry folded keys; older versions are not sent; failed tasks raise."""

    async def test_a_new_patient_is_added_with_folded_keys(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("start_existing_index.json", "index_new_patient.json")
        assert await engine.index(patient())
        assert replay.finished()

    async def test_an_older_version_than_the_held_one_is_skipped(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("start_existing_index.json", "index_stale_version.json")
        assert not await engine.index(patient(version=2))
        assert replay.finished()

    async def test_a_failed_task_raises_so_the_event_is_redelivered(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("start_existing_index.json", "index_task_failed.json")
        with pytest.raises(MeiliError, match="no more space"):
            await engine.index(patient())

    async def test_delete_waits_for_its_task(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("delete_patient.json")
        await engine.delete("patient", PATIENT_ID)
        assert replay.finished()


@pytest.mark.req("R22", partial=True)
class TestSearch:
    """Queries are folded, years become filters, and the readable areas always restrict the search."""

    async def test_kana_and_era_year_with_the_area_filter(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("search_kana_and_era_year.json")
        result = await engine.search(SearchQuery("タナカ　S45", ["patients", "contacts"]))
        assert (result.total, result.total_is_lower_bound) == (2, False)
        first, second = result.hits
        assert (first.name, first.birth_date, first.area) == ("田中 試験", date(1970, 3, 1), "patients")
        assert (second.status, second.excluded_on, second.district) == ("excluded", date(2023, 4, 1), "南部")

    async def test_suggest_asks_for_eight(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("suggest_prefix.json")
        hits = await engine.suggest(SearchQuery("シケ", ["patients"], record_type="patient"))
        assert [hit.name_kana for hit in hits] == ["シケン タロウ"]

    async def test_a_refused_filter_raises_rather_than_returning_unfiltered_hits(
        self, engine: MeiliEngine, replay: Replay
    ) -> None:
        replay.add("search_filter_rejected.json")
        with pytest.raises(MeiliError, match="not filterable"):
            await engine.search(SearchQuery("試験", ["patients"]))

    async def test_no_readable_area_sends_no_request(self, engine: MeiliEngine, replay: Replay) -> None:
        assert (await engine.search(SearchQuery("試験", []))).total == 0
        assert replay.position == 0


@pytest.mark.req("R22", partial=True)
class TestConditions:
    """Every condition of the advanced search is a Meilisearch filter; facets come from facetDistribution."""

    async def test_every_condition_filters_and_the_facets_are_counted(
        self, engine: MeiliEngine, replay: Replay
    ) -> None:
        replay.add("search_conditions_with_facets.json")
        filters = SearchFilters(
            record_types=("patient", "contact"),
            statuses=("active", "excluded"),
            districts=("北部",),
            nurses=("nurse1",),
            sexes=("female",),
            birth=DateRange(date(1950, 1, 1), date(1960, 12, 31)),
            registered=DateRange(date(2026, 4, 1), date(2026, 9, 30)),
            diagnosed=DateRange(date(2026, 3, 1)),
        )
        query = SearchQuery("たなか", ["patients", "contacts"], filters=filters, facets=True)
        result = await engine.search(query)
        assert [hit.record_type for hit in result.hits] == ["patient", "contact"]
        assert result.facets == {
            "record_type": {"patient": 1, "contact": 1},
            "status": {"active": 2},
            "district": {"北部": 2},
            "sex": {"female": 2},
        }
        assert replay.finished()

    async def test_a_broad_query_reports_its_total_as_a_lower_bound(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("search_broad_lower_bound.json")
        result = await engine.search(SearchQuery("たなか", ["patients"]))
        assert (result.total, result.total_is_lower_bound) == (1000, True)

    def test_conditions_alone_still_carry_the_area_filter(self) -> None:
        kinds = SearchQuery("", ["patients", "contacts"], filters=SearchFilters(record_types=("contact",)))
        assert (
            filter_expression(kinds, parse_query(""))
            == 'area IN ["patients", "contacts"] AND record_type IN ["contact"]'
        )
        born = SearchQuery("", ["patients"], filters=SearchFilters(birth=DateRange(end=date(1960, 12, 31))))
        assert filter_expression(born, parse_query("s45.3.1")) == (
            'area IN ["patients"] AND birth_day <= 19601231 AND birth_day = 19700301'
        )


@pytest.mark.req("R22", partial=True)
class TestHighlights:
    """What Meilisearch marked in the folded keys is marked in the names the list shows."""

    async def test_the_marked_reading_is_carried_onto_the_shown_kana(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("search_conditions_with_facets.json")
        result = await engine.search(
            SearchQuery("たなか", ["patients", "contacts"], filters=_every_condition(), facets=True)
        )
        first, second = (SearchItem.of(hit, []) for hit in result.hits)  # no words of our own: Meilisearch's marks
        assert first.highlight["name_kana"] == [("タナカ", True), (" ハナコ", False)]
        assert second.highlight["name_kana"] == [("タナカ", True), (" ナカコ", False)]
        assert second.highlight["name"] == [("田中 中子", False)]


class TestIndexState:
    """A lost Meilisearch index and a rebuild in progress are reported, not hidden."""

    async def test_an_empty_index_while_the_ledger_remembers_records_needs_a_reindex(
        self, engine: MeiliEngine, replay: Replay
    ) -> None:
        replay.add("index_stats_empty.json")
        await engine.check_against_ledger(96)
        assert (await engine.status()).state is IndexState.NEEDS_REINDEX
        await engine.check_against_ledger(0)  # nothing was ever indexed: nothing to ask
        assert replay.finished()


def _every_condition() -> SearchFilters:
    return SearchFilters(
        record_types=("patient", "contact"),
        statuses=("active", "excluded"),
        districts=("北部",),
        nurses=("nurse1",),
        sexes=("female",),
        birth=DateRange(date(1950, 1, 1), date(1960, 12, 31)),
        registered=DateRange(date(2026, 4, 1), date(2026, 9, 30)),
        diagnosed=DateRange(date(2026, 3, 1)),
    )


CONTACT_ID = "8a1d2e3f-4b5c-4d6e-9f70-81a2b3c4d5e6"


def contact(version: int = 3) -> SearchDocument:
    """The synthetic contact of the recordings: a pupil exposed at school to the patient above."""
    return SearchDocument(
        record_type="contact",
        id=CONTACT_ID,
        version=version,
        area="contacts",
        name="髙橋 花子",
        name_kana="タカハシ ハナコ",
        birth_date=date(2015, 6, 1),
        registration_no="",
        status="active",
        active=True,
        phone="090-5555-0102",
        address="東京都世田谷区太子堂9-8-6",
        sex="female",
        district="北部",
        registered_on=date(2026, 11, 2),
        texts=("架空小学校",),
        index_patient="2024-00042 髙橋 検証",
        index_numbers=("2024-00042",),
    )


@pytest.mark.req("R22", partial=True)
class TestContacts:
    """Contacts are documents of the contacts area with their index patient; a refresh replaces the same version."""

    async def test_a_refresh_sends_the_version_meilisearch_holds(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("start_existing_index.json", "refresh_contact.json")
        assert await engine.index(contact(), refresh=True)
        assert replay.finished()

    async def test_the_same_version_without_refresh_is_not_sent(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("start_existing_index.json", "index_contact_same_version.json")
        assert not await engine.index(contact())
        assert replay.finished()

    async def test_found_within_the_contacts_area_with_its_index_patient(
        self, engine: MeiliEngine, replay: Replay
    ) -> None:
        replay.add("search_contact_with_index_patient.json")
        filters = SearchFilters(record_types=("contact",), districts=("北部",))
        result = await engine.search(SearchQuery("タカハシ 2024-00042", ["contacts"], filters=filters))
        [item] = [SearchItem.of(hit, []) for hit in result.hits]
        assert (item.record_type, item.area, item.index_patient, item.district) == (
            "contact",
            "contacts",
            "2024-00042 髙橋 検証",
            "北部",
        )
        assert item.highlight["name_kana"] == [("タカハシ", True), (" ハナコ", False)]
        assert replay.finished()


@pytest.mark.req("R07", "R22", partial=True)
class TestDots:
    """A patient's DOTS state is stored only when there is one, and filtered by type, intensity and due date."""

    def test_a_patient_under_dots_carries_its_state_and_others_carry_none(self) -> None:
        plain = to_meili(patient())
        assert not {"dots_type", "dots_intensity", "dots_due_day", "index_patient"} & set(plain)
        dots = to_meili(
            replace(
                patient(),
                dots_type="visit",
                dots_type_label="訪問DOTS",
                dots_intensity="A",
                dots_due_on=date(2026, 11, 28),
            )
        )
        assert (dots["dots_type"], dots["dots_intensity"], dots["dots_due_day"]) == ("visit", "A", 20261128)
        assert dots["text_keys"] == ["結核研究所", "訪問dots"]  # the type is found without naming the field

    async def test_overdue_visits_of_intensity_a_or_b(self, engine: MeiliEngine, replay: Replay) -> None:
        replay.add("search_dots_overdue.json")
        filters = SearchFilters(
            dots_types=("visit",), dots_intensities=("A", "B"), dots_due=DateRange(None, date(2026, 12, 2))
        )
        result = await engine.search(SearchQuery("", ["patients"], filters=filters, facets=True))
        [hit] = result.hits
        assert (hit.dots_type_label, hit.dots_intensity, hit.dots_due_on) == ("訪問DOTS", "A", date(2026, 11, 28))
        assert replay.finished()
