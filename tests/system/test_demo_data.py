"""`make dev` loads synthetic demo patients through the real API; every one of them must be accepted."""

import httpx
import pytest
from tbms_testing import auth_headers
from tbms_tools import config
from tbms_tools.demo import demo_patients, register


@pytest.mark.req("N14", partial=True)
def test_every_demo_patient_is_synthetic_and_accepted_by_the_patients_service() -> None:
    people = demo_patients(30, seed=7)
    assert all(p["address"].startswith("東京都世田谷区試験町") and p["phone"].startswith("03-0000-") for p in people)
    with httpx.Client(base_url=config.service_url("patients"), headers=auth_headers("nurse1"), timeout=30) as client:
        created = register(client, people)
    assert len({p["registration_no"] for p in created}) == 30
    assert {p["category"] for p in created} == {"patient", "ltbi"}
