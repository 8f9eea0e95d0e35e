"""Each record carries the area that guards it; a user without read access there never finds it (R32)."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from search.engine.base import SearchDocument
from search.query.service import SearchService
from tbms_core.auth import Principal

GUARDS = {"patient": "patients", "contact": "contacts", "document": "documents", "master": "masters"}


def user_with(*areas: str) -> Principal:
    """A synthetic user who may read exactly these areas."""
    return Principal(
        user_id="u-areas", username="areas", display_name="権限試験", roles=frozenset(f"{area}:read" for area in areas)
    )


@pytest.mark.req("R32")
@pytest.mark.req("R22", partial=True)
class TestReadableAreasOnly:
    """Search results never leak a record from an area the user may not read."""

    @pytest.mark.parametrize("record_type", sorted(GUARDS))
    async def test_a_record_is_found_only_with_read_access_to_its_area(
        self, client: httpx.AsyncClient, record_type: str
    ) -> None:
        app = client.app  # type: ignore[attr-defined]
        marker = f"5{uuid.uuid4().int % 10**8:08d}"
        for kind, area in GUARDS.items():
            document = SearchDocument(
                record_type=kind, id=f"{kind}-{marker}", version=1, area=area, name="試験 領域", name_kana="シケン",
                birth_date=date(1970, 3, 1), registration_no=marker, status="active", active=True,
            )  # fmt: skip
            await app.state.engine.index(document)
        others = [area for area in GUARDS.values() if area != GUARDS[record_type]]
        async with app.state.db.session() as session:
            without = await SearchService(session, user_with(*others), app.state.engine).search(marker, facets=True)
            only = await SearchService(session, user_with(GUARDS[record_type]), app.state.engine).search(marker)
        assert record_type not in {item.record_type for item in without.items} and without.total == 3
        assert record_type not in without.facets["record_type"]
        assert [item.record_type for item in only.items] == [record_type]
