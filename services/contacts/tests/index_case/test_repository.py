"""The index-case store keeps the newest snapshot whatever order they are applied in."""

import uuid
from datetime import date

import httpx
from contacts.index_case.repository import IndexCaseRepository
from tbms_core.db import Database


def summary(version: int, name: str) -> dict[str, object]:
    """The columns of an index case as a snapshot of that version fills them."""
    return {
        "version": version,
        "registration_no": f"2026-8{version:04d}",
        "name": name,
        "name_kana": "シケン サブロウ",
        "birth_date": date(1970, 3, 1),
        "district": "世田谷",
        "status": "active",
    }


class TestApply:
    """IndexCaseRepository.apply."""

    async def test_an_older_version_is_not_applied_over_a_newer_one(self, client: httpx.AsyncClient) -> None:
        db: Database = client.app.state.db  # type: ignore[attr-defined]
        patient_id = uuid.uuid4()
        async with db.session() as session:
            cases = IndexCaseRepository(session)
            assert await cases.apply(patient_id, summary(3, "試験 新しい"))
            assert not await cases.apply(patient_id, summary(2, "試験 古い"))
        async with db.session() as session:
            case = await IndexCaseRepository(session).get(patient_id)
        assert (case.version, case.name) == (3, "試験 新しい")
