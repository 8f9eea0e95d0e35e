"""Values of configurable fields (R33) make a patient findable by their words."""

from datetime import date

import pytest
from search.engine.base import SearchQuery
from search.engine.embedded import EmbeddedEngine
from search.indexing.documents import custom_texts, patient_document
from tbms_contracts.patients import PatientSnapshot


def snapshot(**custom: object) -> PatientSnapshot:
    """A synthetic patient carrying configurable values."""
    return PatientSnapshot(
        id="00000000-0000-4000-8000-000000000033",
        version=1,
        registration_no="2026-00033",
        registered_on=date(2026, 11, 1),
        category="patient",
        name="試験 花子",
        name_kana="シケン ハナコ",
        sex="female",
        birth_date=date(1970, 3, 1),
        custom=custom,
    )


@pytest.mark.req("R33", partial=True)
class TestCustomFields:
    """Text and choice values are searchable; numbers, dates and yes/no are not words."""

    def test_only_text_and_choice_values_become_words(self) -> None:
        custom = {"workplace": "株式会社ケンショウ", "jobs": ["介護", "事務"], "weight": 52, "on": "2025-04-01"}
        assert custom_texts(custom | {"consent": True}) == ("株式会社ケンショウ", "介護", "事務")

    async def test_a_patient_is_found_by_a_text_value(self, engine: EmbeddedEngine) -> None:
        await engine.index(patient_document(snapshot(workplace="ｹﾝｼｮｳ物産")))
        found = await engine.search(SearchQuery("ケンショウ物産", ["patients"]))
        assert [hit.name for hit in found.hits] == ["試験 花子"]
