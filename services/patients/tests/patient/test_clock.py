"""The patients service takes "today" from Japan's clock, not the server's (UTC) date.

The clock is set to dates the machine has not reached, so a service that read the machine's clock would
refuse them as future dates; 00:30 JST is the hour in which a UTC server still names yesterday.
"""

from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from tbms_core import clock
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]

DAY = date(2031, 7, 15)
JUST_AFTER_MIDNIGHT, LATE_EVENING = clock.jst(2031, 7, 15, 0, 30), clock.jst(2031, 7, 15, 23, 30)


@pytest.fixture
def japan_time() -> Iterator[None]:
    """Restores the real clock after a test that set it."""
    yield
    clock.set_clock(None)


@pytest.mark.usefixtures("japan_time")
@pytest.mark.parametrize("moment", [JUST_AFTER_MIDNIGHT, LATE_EVENING], ids=["00:30 JST", "23:30 JST"])
class TestJapanClock:
    """Dates entered as today, registration dates and ages at both ends of a day in Japan."""

    async def test_today_is_accepted_for_an_application_and_a_lab_result(
        self, client: httpx.AsyncClient, make_patient: MakePatient, moment: datetime
    ) -> None:
        patient = await make_patient()
        clock.set_clock(moment)
        application = {"basis": "37-2", "applied_on": DAY.isoformat()}
        answer = await client.post(
            f"/patients/{patient['id']}/public-expenses", json=application, headers=auth_headers("nurse1")
        )
        assert answer.status_code == 201, answer.text
        smear = {"kind": "smear", "specimen": "喀痰", "collected_on": DAY.isoformat(), "details": {"grade": "1+"}}
        answer = await client.post(f"/patients/{patient['id']}/lab-results", json=smear, headers=auth_headers("nurse1"))
        assert answer.status_code == 201, answer.text

    async def test_tomorrow_in_japan_is_still_refused(
        self, client: httpx.AsyncClient, make_patient: MakePatient, moment: datetime
    ) -> None:
        patient = await make_patient()
        clock.set_clock(moment)
        application = {"basis": "37-2", "applied_on": date(2031, 7, 16).isoformat()}
        answer = await client.post(
            f"/patients/{patient['id']}/public-expenses", json=application, headers=auth_headers("nurse1")
        )
        assert answer.status_code == 422
        assert "未来の日付" in answer.json()["errors"]["applied_on"]

    async def test_a_registration_without_a_date_takes_japans_date(
        self, make_patient: MakePatient, moment: datetime
    ) -> None:
        clock.set_clock(moment)
        patient = await make_patient()
        assert patient["registered_on"] == DAY.isoformat()
        assert patient["registration_no"].startswith("2031")


class TestAgeInJapan:
    """An age changes on the birthday as it is in Japan."""

    async def test_the_age_goes_up_at_midnight_in_japan(
        self, client: httpx.AsyncClient, make_patient: MakePatient, japan_time: None
    ) -> None:
        patient = await make_patient(birth_date="2001-07-15")
        clock.set_clock(clock.jst(2031, 7, 14, 23, 30))
        before = await client.get(f"/patients/{patient['id']}", headers=auth_headers("nurse1"))
        clock.set_clock(JUST_AFTER_MIDNIGHT)
        after = await client.get(f"/patients/{patient['id']}", headers=auth_headers("nurse1"))
        assert (before.json()["age"], after.json()["age"]) == (29, 30)
