"""Broad queries stay fast by counting only so far: totals become lower bounds, ranking still holds (R22)."""

from datetime import date

import pytest
from search.engine import sqlite_query
from search.engine.base import SearchFilters, SearchQuery
from search.engine.embedded import EmbeddedEngine

from .test_behaviours import EVERY_AREA, ids, record


@pytest.fixture
def cap(monkeypatch: pytest.MonkeyPatch) -> int:
    """Counting stops after five matches (instead of a thousand), so a dozen records make a broad query."""
    monkeypatch.setattr(sqlite_query, "CAP", 5)
    monkeypatch.setattr(sqlite_query, "SUGGEST_CAP", 5)
    return 5


@pytest.mark.req("R22", partial=True)
class TestCounting:
    """Past the cap the total says "at least"; below it, totals and facets are exact."""

    async def test_a_broad_query_reports_a_lower_bound(self, engine: EmbeddedEngine, cap: int) -> None:
        await engine.index_many([record(number, f"試験 {number}号", "シケン") for number in range(12)])
        result = await engine.search(SearchQuery("しけん", EVERY_AREA, limit=3, facets=True))
        assert (result.total, result.total_is_lower_bound) == (cap, True)
        assert result.facets["record_type"] == {"patient": cap}  # counted among the matches read: "at least"
        assert len(result.hits) == 3

    async def test_a_query_within_the_cap_is_counted_exactly(self, engine: EmbeddedEngine, cap: int) -> None:
        await engine.index_many([record(number, f"試験 {number}号", "シケン") for number in range(cap)])
        result = await engine.search(SearchQuery("しけん", EVERY_AREA, limit=3))
        assert (result.total, result.total_is_lower_bound) == (cap, False)

    async def test_a_later_page_reads_as_far_as_it_needs(self, engine: EmbeddedEngine, cap: int) -> None:
        await engine.index_many([record(number, f"試験 {number:02d}号", "シケン") for number in range(12)])
        page = await engine.search(SearchQuery("しけん", EVERY_AREA, limit=4, offset=8))
        assert len(page.hits) == 4 and page.total == 12 and not page.total_is_lower_bound


@pytest.mark.req("R22", partial=True)
class TestRankingBeyondTheCap:
    """Exact and prefix matches of a whole field, and active records, still come first in a broad query."""

    async def test_exact_and_prefix_matches_found_after_many_substring_matches_rank_first(
        self, engine: EmbeddedEngine, cap: int
    ) -> None:
        substrings = [record(number, f"小山 {number}", f"コヤマ {number}") for number in range(10)]
        await engine.index_many([*substrings, record(20, "山田 太郎", "ヤマダ タロウ"), record(21, "山", "ヤマ")])
        assert await ids(engine, "やま", limit=2) == ["patient-21", "patient-20"]
        assert [hit.id for hit in await engine.suggest(SearchQuery("やま", EVERY_AREA))][:2] == [
            "patient-21",
            "patient-20",
        ]

    async def test_the_same_holds_when_a_birth_year_drives_the_query(self, engine: EmbeddedEngine, cap: int) -> None:
        born_1970 = [record(number, f"小山 {number}", f"コヤマ {number}") for number in range(10)]
        others = [record(50 + number, f"山田 {number}", "ヤマダ", birth_date=date(1980, 1, 1)) for number in range(30)]
        await engine.index_many([*born_1970, *others, record(20, "山", "ヤマ")])  # the birth year is the smaller set
        assert await ids(engine, "やま s45", limit=1) == ["patient-20"]

    async def test_active_records_come_before_closed_ones(self, engine: EmbeddedEngine, cap: int) -> None:
        closed = [record(number, f"試験 {number}", "シケン", status="closed", active=False) for number in range(8)]
        await engine.index_many([*closed, record(30, "試験 継続", "シケン")])
        assert await ids(engine, "しけん", limit=1) == ["patient-30"]

    async def test_a_selective_condition_still_finds_its_few_records(self, engine: EmbeddedEngine, cap: int) -> None:
        many = [record(number, f"試験 {number}", "シケン", district="南部") for number in range(20)]
        await engine.index_many([*many, record(40, "試験 北", "シケン", district="北部")])
        north = SearchFilters(districts=("北部",))
        assert await ids(engine, "しけん", limit=1, filters=north) == ["patient-40"]


@pytest.mark.req("R22", partial=True)
class TestShortWords:
    """Words of one or two characters are found through the bigram index, anywhere in a field."""

    async def test_two_characters_find_a_prefix_a_middle_and_an_end(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "田中 太郎", "タナカ タロウ"))
        await engine.index(record(2, "山本 中子", "ヤマモト ナカコ"))
        await engine.index(record(3, "試験 花子", "シケン ハナコ"))
        assert await ids(engine, "田中") == ["patient-1"]
        assert await ids(engine, "中太") == ["patient-1"]
        assert await ids(engine, "中子") == ["patient-2"]
        assert sorted(await ids(engine, "はな")) == ["patient-3"]

    async def test_one_character_finds_the_last_character_of_a_field(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "試験", "シケン"))
        assert await ids(engine, "験") == ["patient-1"]

    async def test_short_and_long_words_and_a_birth_year_combine(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "田中 太郎", "タナカ タロウ", address="世田谷区", birth_date=date(1970, 1, 1)))
        await engine.index(record(2, "田中 次郎", "タナカ ジロウ", address="世田谷区", birth_date=date(1971, 1, 1)))
        await engine.index(record(3, "山田 太郎", "ヤマダ タロウ", address="世田谷区", birth_date=date(1970, 1, 1)))
        assert await ids(engine, "田中 世田谷 1970") == ["patient-1"]
        assert await ids(engine, "田中 世田谷 s46") == ["patient-2"]
