"""GET /usage/search-words: the most frequent words of every search of a period, counted in the database and masked
there, so that no name typed into a search leaves identity (N30)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from identity.usage.service import UsageService
from identity.usage.words import masked, typed_words
from sqlalchemy import text
from tbms_contracts.audit import Operation
from tbms_core.auth import Principal
from tbms_core.db import Database
from tbms_testing import wait_for

pytestmark = pytest.mark.req("N30", partial=True)

AUDITOR = Principal(
    user_id="test-auditor", username="テスト監査者", display_name="テスト監査者", roles=frozenset({"audit:read"})
)
JULY_FIRST_JST = datetime(2019, 6, 30, 15, 30, tzinfo=UTC)  # 00:30 on 1 July in Japan
JUNE_LAST_JST = datetime(2019, 6, 30, 14, 30, tzinfo=UTC)  # 23:30 on 30 June in Japan
# Rows with negative seqs, in a rolled-back transaction: they collide with no chained row and no append waits on them.
INSERT_SEARCHES = text(
    "INSERT INTO audit_events (seq, event_id, occurred_at, service, user_id, username, client_ip, operation, result,"
    " record_type, query, recorded_at, prev_hash, hash)"
    " SELECT -(:first + g), gen_random_uuid(), CAST(:at AS timestamptz) + g * interval '1 second', 'search',"
    " 'test-user', 'テスト保健師', '192.0.2.10', :operation, 'success', 'search', :query, now(), :h, :h"
    " FROM generate_series(1, :n) AS g"
)


class TestWords:
    """A search word shows only its shape unless it is a district or an era year."""

    def test_masking_keeps_only_era_years_and_districts(self) -> None:
        assert masked("S45") == "S45" and masked("1970") == "1970" and masked("世田谷", {"世田谷"}) == "世田谷"
        assert masked("シケン") == "○○○" and masked("2026-00001") == "9999-99999" and masked("世田谷") == "○○○"

    def test_the_typed_words_are_the_q_part_or_the_whole_text(self) -> None:
        assert list(typed_words("q=試験\u3000太郎 S45&type=patient")) == ["試験", "太郎", "S45"]
        assert list(typed_words("  田中  花子 ")) == ["田中", "花子"]
        assert list(typed_words("type=patient")) == ["type=patient"]


class TestSearchWords:
    """An auditor sees the month's frequent search words, counted over all of its searches."""

    async def test_every_search_of_the_month_is_counted_beyond_a_thousand(self, db: Database) -> None:
        searches = [
            (1_200, JULY_FIRST_JST, Operation.SEARCH, "q=試験太郎 世田谷"),
            (300, JULY_FIRST_JST, Operation.SEARCH, "q=S45 03-1234-5678&type=patient"),
            (7, JULY_FIRST_JST, Operation.SEARCH, "試験花子"),  # the search service records the text as typed
            (50, JUNE_LAST_JST, Operation.SEARCH, "q=六月"),  # 30 June in Japan: not July
            (40, JULY_FIRST_JST, Operation.READ, "q=閲覧"),  # not a search
        ]
        async with db.sessions() as session:
            first = 0
            for n, at, operation, query in searches:
                values = {"first": first, "at": at, "operation": operation.value, "query": query, "n": n}
                await session.execute(INSERT_SEARCHES, values | {"h": "0" * 64})
                first += n
            service = UsageService(session, AUDITOR)
            report = await service.search_words(date(2019, 7, 1), date(2019, 7, 31), top=10, keep=["世田谷"])
            unkept = await service.search_words(date(2019, 7, 1), date(2019, 7, 31), top=2, keep=[])
            await session.rollback()
        counts = {word.word: word.count for word in report.words}
        assert report.searches == 1_507, "every search of July, not the latest thousand"
        assert counts == {"○○○○": 1_207, "世田谷": 1_200, "S45": 300, "99-9999-9999": 300}
        assert [word.word for word in report.words] == ["○○○○", "世田谷", "99-9999-9999", "S45"], "most first"
        assert "試験" not in report.model_dump_json() and "六月" not in report.model_dump_json()
        assert [(word.word, word.count) for word in unkept.words] == [("○○○○", 1_207), ("○○○", 1_200)]

    async def test_published_searches_are_counted_and_no_name_leaves_identity(
        self,
        identity: httpx.AsyncClient,
        publish,
        operation,
        admin: dict[str, str],  # type: ignore[no-untyped-def]
    ) -> None:
        period = {"from": "2018-03-01", "to": "2018-03-31", "keep": ["北沢", "砧"], "top": 100}

        async def counted() -> dict[str, int]:
            answer = await identity.get("/usage/search-words", params=period, headers=admin)
            assert answer.status_code == 200, answer.text
            assert "試験" not in answer.text and "0312345678" not in answer.text
            return {word["word"]: word["count"] for word in answer.json()["words"]}

        before = await counted()
        at = datetime(2018, 3, 14, 3, 0, tzinfo=UTC)
        for query in ("q=試験次郎 北沢", "q=試験次郎 0312345678", "q=砧 H2"):
            await publish(operation(str(uuid.uuid4()), occurred_at=at, operation=Operation.SEARCH, query=query))

        async def grown() -> dict[str, int] | None:
            after = await counted()
            growth = {word: n - before.get(word, 0) for word, n in after.items() if n != before.get(word, 0)}
            return growth if growth.get("H2") == 1 else None

        assert await wait_for(grown, timeout=15) == {"○○○○": 2, "北沢": 1, "9999999999": 1, "砧": 1, "H2": 1}

    async def test_only_auditors_read_them_and_bad_questions_are_refused(
        self, identity: httpx.AsyncClient, admin: dict[str, str], nurse: dict[str, str]
    ) -> None:
        period = {"from": "2025-01-01", "to": "2025-01-31"}
        assert (await identity.get("/usage/search-words", params=period, headers=nurse)).status_code == 403
        refused = {
            "to": {"from": "2025-03-01", "to": "2025-01-31"},
            "from": {"from": "2015-01-01", "to": "2025-01-31"},
            "top": period | {"top": 0},
            "keep": period | {"keep": "地" * 51},
        }
        for field, params in refused.items():
            answer = await identity.get("/usage/search-words", params=params, headers=admin)
            assert answer.status_code == 422 and field in answer.json()["errors"], (field, answer.text)
        too_many = await identity.get("/usage/search-words", params=period | {"top": 101}, headers=admin)
        assert "1から100" in too_many.json()["errors"]["top"]
        unreadable = await identity.get("/usage/search-words", params=period | {"top": "多め"}, headers=admin)
        assert unreadable.status_code == 422 and "数字" in unreadable.json()["errors"]["top"]
