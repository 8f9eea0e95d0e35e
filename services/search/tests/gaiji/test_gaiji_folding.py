"""Search keeps masters' 外字 master (MasterChanged, kind gaiji) and folds a registered 外字 as its substitute: a name
written with the 外字 is found by the substitute and by the 外字, and a name written with the substitute by the 外字
(N11, N26). Real PostgreSQL search database and the embedded engine; synthetic names only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta

import httpx
import pytest
from search.engine.terms import fold, fold_gaiji
from search.gaiji import service as gaiji
from search.gaiji.consumers import on_gaiji_changed
from sqlalchemy import text
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_contracts.patients import PatientSnapshot
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_testing import auth_headers

# 𠮷 (U+20BB7) folds as 吉 among the 異体字 every search folds; 𠩤 (U+20A64) and 𡈽 (U+2123D) fold only once
# registered: no other test of search registers them
FROM_LONG_AGO = date(2001, 4, 1)
IndexPatient = Callable[..., Awaitable[PatientSnapshot]]
Register = Callable[..., Awaitable[Envelope]]


def gaiji_event(character: str, substitute: str, version: int, *, valid_to: date | None = None) -> Envelope:
    """MasterChanged of a 外字 record as masters sends it."""
    code = f"U+{ord(character):04X}"
    snapshot = MasterSnapshot(
        kind="gaiji",
        code=code,
        name=f"{character}（{substitute}）",
        data={"character": character, "substitute": substitute, "note": ""},
        valid_from=FROM_LONG_AGO,
        valid_to=valid_to,
        version=version,
    )
    event = MasterChanged(kind="gaiji", code=code, snapshot=snapshot)
    return Envelope.of(event, aggregate_id=record_id("gaiji", code), version=version, actor="test")


async def consume(client: httpx.AsyncClient, envelope: Envelope) -> None:
    """Applies one event as the subscription does: the handler in one committed unit of work."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        await on_gaiji_changed(session, envelope)


async def kept(client: httpx.AsyncClient, character: str) -> list[tuple[str, int]]:
    """(substitute, version) of the 外字 in search's database."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.execute(
            text("SELECT substitute, version FROM search_gaiji_records WHERE code = :code"),
            {"code": f"U+{ord(character):04X}"},
        )
        return [(row.substitute, row.version) for row in rows]


@pytest.fixture
async def register(client: httpx.AsyncClient) -> AsyncIterator[Register]:
    """Registers 外字 through the consumer; afterwards forgets them, so later tests fold as before."""
    codes: list[str] = []

    async def _register(character: str, substitute: str, version: int = 1, **fields: date | None) -> Envelope:
        envelope = gaiji_event(character, substitute, version, **fields)
        codes.append(f"U+{ord(character):04X}")
        await consume(client, envelope)
        return envelope

    yield _register
    db = client.app.state.db  # type: ignore[attr-defined]
    async with db.session() as session:
        await session.execute(text("DELETE FROM search_gaiji_records WHERE code = ANY(:codes)"), {"codes": codes})
    await gaiji.refresh(db)


def marker() -> str:
    """A katakana word no other test's names hold, so a search sees this test's records only."""
    return "".join("アイウエオカキクケコサシスセソタ"[int(c, 16)] for c in uuid.uuid4().hex[:8])


async def found(client: httpx.AsyncClient, query: str) -> set[str]:
    """The names the search API returns for a query."""
    response = await client.get("/search", params={"q": query}, headers=auth_headers("nurse1"))
    assert response.status_code == 200, response.text
    return {item["name"] for item in response.json()["items"]}


@pytest.mark.req("N26", partial=True)
class TestGaijiMasterKept:
    async def test_a_gaiji_record_is_kept_once_and_the_newest_version_wins(
        self, client: httpx.AsyncClient, register: Register
    ) -> None:
        first = await register("𠩤", "原", 1)
        await consume(client, first)  # redelivered
        assert await kept(client, "𠩤") == [("原", 1)]

        await register("𠩤", "源", 3)
        await consume(client, gaiji_event("𠩤", "元", 2))  # late, older

        assert await kept(client, "𠩤") == [("源", 3)]
        assert fold("𠩤田") == fold("源田")

    async def test_another_kind_of_master_is_not_kept(self, client: httpx.AsyncClient) -> None:
        snapshot = MasterSnapshot(
            kind="institution", code="U+2123D", name="試験病院", valid_from=FROM_LONG_AGO, version=1
        )
        event = MasterChanged(kind="institution", code="U+2123D", snapshot=snapshot)
        await consume(client, Envelope.of(event, aggregate_id=uuid.uuid4(), version=1, actor="test"))
        assert await kept(client, "𡈽") == []

    async def test_a_process_that_did_not_consume_the_change_folds_with_it_after_a_refresh(
        self, client: httpx.AsyncClient, register: Register
    ) -> None:
        await register("𡈽", "土")
        fold_gaiji({})  # as another search process holds it before its next read
        assert fold("𡈽井") != fold("土井")

        await gaiji.refresh(client.app.state.db)  # type: ignore[attr-defined]

        assert fold("𡈽井") == fold("土井")


@pytest.mark.req("N11")
@pytest.mark.req("N26", partial=True)
class TestSearchFoldsRegisteredGaiji:
    @pytest.mark.parametrize(("character", "substitute"), [("𠮷", "吉"), ("𠩤", "原")])
    async def test_the_substitute_finds_the_gaiji_name_and_the_gaiji_finds_both(
        self,
        client: httpx.AsyncClient,
        index_patient: IndexPatient,
        register: Register,
        character: str,
        substitute: str,
    ) -> None:
        word = marker()
        await register(character, substitute)
        await index_patient(f"{character}田 試験", f"シケン {word}")
        await index_patient(f"{substitute}田 検証", f"ケンショウ {word}")
        await index_patient("山田 確認", f"ヤマダ {word}")

        by_substitute = await found(client, f"{substitute}田 {word}")
        by_gaiji = await found(client, f"{character}田 {word}")

        assert by_substitute == by_gaiji == {f"{character}田 試験", f"{substitute}田 検証"}

    async def test_an_ended_record_no_longer_folds(
        self, client: httpx.AsyncClient, index_patient: IndexPatient, register: Register
    ) -> None:
        word = marker()
        await register("𡈽", "土", valid_to=today() - timedelta(days=1))
        await index_patient("𡈽井 試験", f"ツチイ {word}")
        await index_patient("土井 検証", f"ドイ {word}")

        assert await found(client, f"土井 {word}") == {"土井 検証"}
        assert await found(client, f"𡈽井 {word}") == {"𡈽井 試験"}
