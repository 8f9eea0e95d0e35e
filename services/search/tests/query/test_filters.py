"""The advanced search's date conditions are read the way staff type dates elsewhere."""

from datetime import date

import pytest
from pydantic import ValidationError
from search.query.filters import SearchConditions


@pytest.mark.req("R22", partial=True)
class TestDateConditions:
    """和暦 or 西暦, blank meaning no limit."""

    def test_wareki_and_seireki_are_both_read(self) -> None:
        conditions = SearchConditions(birth_from="S45.3.1", birth_to="1970-12-31", registered_from="")
        assert conditions.birth_from == date(1970, 3, 1) and conditions.birth_to == date(1970, 12, 31)
        assert conditions.registered_from is None

    def test_an_unreadable_date_is_refused_in_japanese(self) -> None:
        with pytest.raises(ValidationError) as caught:
            SearchConditions(diagnosed_from="S99.13.40")
        message = caught.value.errors()[0]["msg"]
        assert any("\u3040" <= ch <= "\u9fff" for ch in message)
