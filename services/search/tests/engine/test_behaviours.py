"""The behaviours R22 asks of every engine, proven on the embedded engine (the default)."""

from datetime import date

import pytest
from search.engine.base import DateRange, SearchDocument, SearchFilters, SearchQuery
from search.engine.embedded import EmbeddedEngine

EVERY_AREA = ["patients", "contacts", "documents", "masters"]
AREA_OF = {"patient": "patients", "contact": "contacts", "document": "documents", "master": "masters"}


def record(number: int, name: str, kana: str, record_type: str = "patient", **fields: object) -> SearchDocument:
    """A synthetic record guarded by its type's area."""
    values: dict = {
        "record_type": record_type,
        "id": f"{record_type}-{number}",
        "version": 1,
        "area": AREA_OF[record_type],
        "name": name,
        "name_kana": kana,
        "birth_date": date(1970, 3, 1),
        "registration_no": f"2024-{number:05d}" if record_type == "patient" else "",
        "status": "active",
        "active": True,
    }
    return SearchDocument(**(values | fields))


async def ids(engine: EmbeddedEngine, text: str, areas: list[str] = EVERY_AREA, **options: object) -> list[str]:
    """The ids found for a query, in result order."""
    return [hit.id for hit in (await engine.search(SearchQuery(text, areas, **options))).hits]


@pytest.mark.req("R22", partial=True)
class TestItemless:
    """Words without field names find the record they describe."""

    async def test_kana_and_era_year_find_the_patient_born_that_year(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "田中 太郎", "タナカ タロウ", address="東京都世田谷区太子堂1-2-3"))
        await engine.index(record(2, "田中 次郎", "タナカ ジロウ", birth_date=date(1980, 5, 5)))
        await engine.index(record(3, "田中 花子", "タナカ ハナコ", address="東京都目黒区中町1"))
        assert await ids(engine, "たなか s45") == ["patient-1", "patient-3"]
        assert await ids(engine, "田中 世田谷 1970") == ["patient-1"]

    async def test_public_expense_numbers_phones_and_postal_codes_find_their_record(
        self, engine: EmbeddedEngine
    ) -> None:
        numbers = ("10131015", "1234567")  # 公費負担者番号, 受給者番号
        await engine.index(record(1, "試験 一郎", "シケン イチロウ", numbers=numbers, phone="03-5555-0101"))
        await engine.index(record(2, "試験 二郎", "シケン ジロウ", postal_code="154-0017"))
        assert await ids(engine, "10131015") == ["patient-1"]
        assert await ids(engine, "1234567") == ["patient-1"]
        assert await ids(engine, "0355550101") == await ids(engine, "03-5555-0101") == ["patient-1"]
        assert await ids(engine, "154-0017") == await ids(engine, "1540017") == ["patient-2"]


@pytest.mark.req("R22", partial=True)
class TestFuzzy:
    """Spaces, substrings and one typo in latin text are forgiven."""

    async def test_one_typo_in_a_romanised_word_still_finds_it(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "Tanaka Taro", "タナカ タロウ", address="Setagaya Taishido"))
        await engine.index(record(2, "Yamada Hanako", "ヤマダ ハナコ"))
        for typed in ("tanaka", "tanaks", "tanka", "tannaka", "setagya", "TANAKA"):
            assert await ids(engine, typed) == ["patient-1"], typed
        assert await ids(engine, "tnks") == []

    async def test_exact_before_prefix_before_substring_before_typo(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "Xtanakax", "エックス"))
        await engine.index(record(2, "Tanakab", "ビー"))
        await engine.index(record(3, "Tanaka", "シー"))
        await engine.index(record(4, "Tanaki", "ディー"))
        assert await ids(engine, "tanaka") == ["patient-3", "patient-2", "patient-1", "patient-4"]

    async def test_active_records_come_before_closed_ones(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "試験 除外", "シケン", status="excluded", active=False))
        await engine.index(record(2, "試験 登録", "シケン"))
        assert await ids(engine, "しけん") == ["patient-2", "patient-1"]


@pytest.mark.req("R22", partial=True)
class TestConditions:
    """Filters combine with free text, and the page counts each facet value."""

    async def _three(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "試験 一", "シケン", district="北部", sex="male", nurse="nurse1"))
        await engine.index(
            record(2, "試験 二", "シケン", district="南部", sex="female", status="excluded", active=False)
        )
        await engine.index(record(3, "試験 三", "シケン", "contact", district="北部", sex="female"))

    async def test_filters_narrow_the_words(self, engine: EmbeddedEngine) -> None:
        await self._three(engine)
        north = await ids(engine, "しけん", filters=SearchFilters(districts=("北部",)))
        assert sorted(north) == ["contact-3", "patient-1"]
        assert await ids(engine, "しけん", filters=SearchFilters(record_types=("contact",))) == ["contact-3"]
        assert await ids(engine, "", filters=SearchFilters(statuses=("excluded",))) == ["patient-2"]
        assert await ids(engine, "", filters=SearchFilters(nurses=("nurse1",), sexes=("male",))) == ["patient-1"]

    async def test_date_ranges_bound_birth_registration_and_diagnosis(self, engine: EmbeddedEngine) -> None:
        await engine.index(
            record(1, "試験 一", "シケン", registered_on=date(2026, 4, 1), diagnosed_on=date(2026, 3, 1))
        )
        await engine.index(record(2, "試験 二", "シケン", birth_date=date(1990, 1, 1), registered_on=date(2025, 1, 1)))
        spring = DateRange(date(2026, 1, 1), date(2026, 6, 30))
        assert await ids(engine, "", filters=SearchFilters(registered=spring)) == ["patient-1"]
        assert await ids(engine, "", filters=SearchFilters(diagnosed=spring)) == ["patient-1"]
        assert await ids(engine, "", filters=SearchFilters(birth=DateRange(date(1985, 1, 1)))) == ["patient-2"]

    async def test_facets_count_the_current_query(self, engine: EmbeddedEngine) -> None:
        await self._three(engine)
        result = await engine.search(SearchQuery("しけん", EVERY_AREA, facets=True))
        assert result.facets == {
            "record_type": {"patient": 2, "contact": 1},
            "status": {"active": 2, "excluded": 1},
            "district": {"北部": 2, "南部": 1},
            "sex": {"female": 2, "male": 1},
        }


@pytest.mark.req("R32")
@pytest.mark.req("R22", partial=True)
class TestAreas:
    """A user sees only records of the areas they may read, whatever the query."""

    @pytest.mark.parametrize("record_type", sorted(AREA_OF))
    async def test_records_of_an_unreadable_area_are_never_returned(
        self, engine: EmbeddedEngine, record_type: str
    ) -> None:
        for number, kind in enumerate(sorted(AREA_OF)):
            await engine.index(record(number, "試験 権限", "シケン ケンゲン", kind))
        others = [area for area in EVERY_AREA if area != AREA_OF[record_type]]
        found = await engine.search(SearchQuery("しけん", others, facets=True))
        assert record_type not in {hit.record_type for hit in found.hits} and found.total == 3
        assert record_type not in found.facets["record_type"]
        only = await ids(engine, "しけん", [AREA_OF[record_type]])
        assert [kind for kind, _ in (hit.split("-") for hit in only)] == [record_type]


@pytest.mark.req("R22", partial=True)
class TestRemoval:
    """Deleted records leave the index; a rebuild starts from nothing."""

    async def test_a_deleted_record_is_no_longer_found(self, engine: EmbeddedEngine) -> None:
        await engine.index(record(1, "試験 削除", "シケン サクジョ"))
        await engine.delete("patient", "patient-1")
        assert await ids(engine, "しけん") == []

    async def test_clear_empties_the_index_for_a_rebuild(self, engine: EmbeddedEngine) -> None:
        await engine.index_many([record(1, "試験 一", "シケン"), record(2, "試験 二", "シケン")])
        await engine.clear()
        assert await ids(engine, "しけん") == []
        assert await engine.index(record(1, "試験 一", "シケン"))
