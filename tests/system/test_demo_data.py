"""`make dev` loads synthetic master data and demo patients through the real APIs; every row must be accepted."""

from collections import Counter

import httpx
import pytest
from tbms_testing import auth_headers
from tbms_tools import config
from tbms_tools.demo import demo_patients, register
from tbms_tools.demo_masters import create, demo_masters, existing_codes


@pytest.mark.req("N14", partial=True)
def test_every_demo_patient_is_synthetic_and_accepted_by_the_patients_service() -> None:
    people = demo_patients(30, seed=7)
    assert all(p["address"].startswith("東京都世田谷区試験町") and p["phone"].startswith("03-0000-") for p in people)
    with httpx.Client(base_url=config.service_url("patients"), headers=auth_headers("nurse1"), timeout=30) as client:
        created = register(client, people)
    assert len({p["registration_no"] for p in created}) == 30
    assert {p["category"] for p in created} == {"patient", "ltbi"}


@pytest.mark.req("R25", partial=True)
@pytest.mark.req("N14", partial=True)
def test_the_demo_master_data_is_accepted_by_masters_and_loaded_only_once() -> None:
    with httpx.Client(base_url=config.service_url("masters"), headers=auth_headers("admin1"), timeout=60) as client:
        rows = demo_masters(client.get("/districts").raise_for_status().json())
        create(client, rows)
        assert create(client, rows) == 0
        for kind in Counter(row.kind for row in rows):
            assert {row.code for row in rows if row.kind == kind} <= existing_codes(client, kind)
