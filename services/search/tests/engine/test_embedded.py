"""The embedded engine finds people the way staff type: any width, kana, 異体字, 和暦 years, numbers (R22, N11)."""

from datetime import date

import pytest
from search.engine.base import SearchDocument, SearchQuery
from search.engine.embedded import EmbeddedEngine

PATIENTS = ["patients"]


def patient(number: int, name: str, kana: str, **fields: object) -> SearchDocument:
    """A synthetic patient document; `number` makes its id and 登録番号."""
    values: dict = {
        "record_type": "patient",
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "version": 1,
        "area": "patients",
        "name": name,
        "name_kana": kana,
        "birth_date": date(1970, 3, 1),
        "registration_no": f"2024-{number:05d}",
        "status": "active",
        "active": True,
        "phone": "",
        "postal_code": "",
        "address": "",
    }
    return SearchDocument(**(values | fields))


async def names(engine: EmbeddedEngine, text: str, areas: list[str] = PATIENTS, **options: object) -> list[str]:
    """The names found for a query, in result order."""
    return [hit.name for hit in (await engine.search(SearchQuery(text, areas, **options))).hits]


@pytest.mark.req("R22", partial=True)
class TestWidthKanaAndVariants:
    """Whatever width or kana the user types, and whichever 異体字 the register holds."""

    async def test_hiragana_and_half_width_kana_find_a_katakana_reading(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 太郎", "シケン タロウ"))
        assert await names(engine, "しけん") == ["試験 太郎"]
        assert await names(engine, "ｼｹﾝ ﾀﾛｳ") == ["試験 太郎"]
        assert await names(engine, "シケンタロウ") == ["試験 太郎"]

    async def test_variant_kanji_are_found_by_their_common_form_and_back(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "髙橋 検証", "タカハシ ケンショウ"))
        await engine.index(patient(2, "山﨑 試験", "ヤマサキ シケン"))
        await engine.index(patient(3, "高橋 確認", "タカハシ カクニン"))
        assert await names(engine, "高橋 検証") == ["髙橋 検証"]
        assert await names(engine, "山崎") == ["山﨑 試験"]
        assert set(await names(engine, "髙橋")) == {"髙橋 検証", "高橋 確認"}

    async def test_full_width_digits_and_letters_fold(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(7, "試験 花子", "シケン ハナコ"))
        assert await names(engine, "２０２４－０００07") == ["試験 花子"]


@pytest.mark.req("R22", partial=True)
class TestBirthDates:
    """和暦 and 西暦 years and dates narrow a name search to the right person."""

    async def test_kana_and_showa_year_find_only_the_one_born_that_year(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "田中 一郎", "タナカ イチロウ", birth_date=date(1970, 3, 1)))
        await engine.index(patient(2, "田中 次郎", "タナカ ジロウ", birth_date=date(1971, 3, 1)))
        assert await names(engine, "たなか s45") == ["田中 一郎"]
        assert await names(engine, "たなか 昭和45年") == ["田中 一郎"]
        assert await names(engine, "田中 1971") == ["田中 次郎"]

    async def test_a_full_date_in_wareki_or_seireki_finds_the_birth_date(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 一郎", "シケン イチロウ", birth_date=date(1970, 3, 1)))
        await engine.index(patient(2, "試験 次郎", "シケン ジロウ", birth_date=date(1970, 3, 2)))
        assert await names(engine, "S45.3.1") == ["試験 一郎"]
        assert await names(engine, "1970-03-02") == ["試験 次郎"]
        assert await names(engine, "19700301") == ["試験 一郎"]

    async def test_reiwa_first_year_is_found_as_gannen(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 令子", "シケン レイコ", birth_date=date(2019, 5, 1)))
        assert await names(engine, "令和元年") == ["試験 令子"]
        assert await names(engine, "r1") == ["試験 令子"]


@pytest.mark.req("R22", partial=True)
class TestPartialAndNumbers:
    """Part of a name, a 登録番号, a phone number typed with or without hyphens."""

    async def test_a_substring_of_a_name_finds_it(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 太郎", "シケン タロウ"))
        assert await names(engine, "験太") == ["試験 太郎"]
        assert await names(engine, "けんたろ") == ["試験 太郎"]
        assert await names(engine, "験") == ["試験 太郎"]

    async def test_every_word_must_match(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 太郎", "シケン タロウ"))
        await engine.index(patient(2, "試験 花子", "シケン ハナコ"))
        assert await names(engine, "試験　花子") == ["試験 花子"]
        assert await names(engine, "試験 存在しない") == []

    async def test_registration_number_with_or_without_hyphen(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(12, "試験 太郎", "シケン タロウ"))
        await engine.index(patient(13, "試験 花子", "シケン ハナコ"))
        assert await names(engine, "2024-00012") == ["試験 太郎"]
        assert await names(engine, "202400013") == ["試験 花子"]

    async def test_phone_and_postal_code_with_or_without_hyphens(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 太郎", "シケン タロウ", phone="03-5555-0101", postal_code="154-0017"))
        for typed in ("03-5555-0101", "0355550101", "5555-0101", "０３ー５５５５ー０１０１", "1540017", "154-0017"):
            assert await names(engine, typed) == ["試験 太郎"], typed

    async def test_address_with_block_numbers(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 太郎", "シケン タロウ", address="東京都世田谷区太子堂9-8-7"))
        assert await names(engine, "太子堂9-8-7") == ["試験 太郎"]


@pytest.mark.req("R22", partial=True)
class TestVersions:
    """Events may arrive twice or out of order; the index keeps the newest snapshot."""

    async def test_an_older_snapshot_after_a_newer_one_is_ignored(self, engine: EmbeddedEngine) -> None:
        assert await engine.index(patient(1, "試験 新しい", "シケン アタラシイ", version=3))
        assert not await engine.index(patient(1, "試験 古い", "シケン フルイ", version=2))
        assert not await engine.index(patient(1, "試験 新しい", "シケン アタラシイ", version=3))
        assert await names(engine, "試験") == ["試験 新しい"]
        assert await engine.version_of("patient", patient(1, "", "").id) == 3

    async def test_a_newer_snapshot_replaces_the_old_keys(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "旧姓 花子", "キュウセイ ハナコ", version=1))
        await engine.index(patient(1, "新姓 花子", "シンセイ ハナコ", version=2))
        assert await names(engine, "旧姓") == []
        assert await names(engine, "しんせい") == ["新姓 花子"]

    async def test_a_deleted_record_is_no_longer_found(self, engine: EmbeddedEngine) -> None:
        document = patient(1, "試験 太郎", "シケン タロウ")
        await engine.index(document)
        await engine.delete("patient", document.id)
        assert await names(engine, "試験") == []


@pytest.mark.req("R22", partial=True)
class TestRanking:
    """Exact before prefix before substring; people still registered before excluded ones."""

    async def test_exact_then_prefix_then_substring(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "小山 試験", "コヤマ シケン"))
        await engine.index(patient(2, "山田 試験", "ヤマダ シケン"))
        await engine.index(patient(3, "山", "ヤマ"))
        assert await names(engine, "やま") == ["山", "山田 試験", "小山 試験"]

    async def test_excluded_patients_are_found_after_active_ones(self, engine: EmbeddedEngine) -> None:
        excluded = patient(1, "山", "ヤマ", status="excluded", active=False, excluded_on=date(2024, 4, 1))
        await engine.index(excluded)
        await engine.index(patient(2, "小山 試験", "コヤマ シケン"))
        result = await engine.search(SearchQuery("やま", PATIENTS))
        assert [hit.name for hit in result.hits] == ["小山 試験", "山"]
        assert (result.hits[1].status, result.hits[1].excluded_on) == ("excluded", date(2024, 4, 1))


@pytest.mark.req("R22", partial=True)
class TestAccessAndPaging:
    """Only readable areas are searched; totals count every match beyond the page."""

    async def test_records_outside_the_readable_areas_are_never_returned(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 太郎", "シケン タロウ"))
        assert await names(engine, "試験", areas=["contacts"]) == []
        assert await names(engine, "試験", areas=[]) == []
        assert await names(engine, "試験", record_type="contact") == []

    async def test_total_counts_all_matches_and_suggest_gives_eight(self, engine: EmbeddedEngine) -> None:
        for number in range(1, 13):
            await engine.index(patient(number, f"試験 {number}号", "シケン"))
        page = await engine.search(SearchQuery("試験", PATIENTS, limit=5, offset=10))
        assert (len(page.hits), page.total) == (2, 12)
        assert (await engine.search(SearchQuery("試験", PATIENTS, offset=50))).total == 12
        assert len(await engine.suggest(SearchQuery("しけ", PATIENTS))) == 8

    async def test_a_query_of_only_spaces_finds_nothing(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient(1, "試験 太郎", "シケン タロウ"))
        assert (await engine.search(SearchQuery(" 　", PATIENTS))).total == 0
