"""Reading an index case: a Japanese answer for a patient contacts does not know (yet)."""

import uuid

import httpx
from tbms_testing import auth_headers


class TestViewIndexCase:
    """GET /index-cases/{patient_id}."""

    async def test_unknown_patient_gets_a_japanese_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/index-cases/{uuid.uuid4()}", headers=auth_headers("nurse1"))
        assert response.status_code == 404
        assert "発端患者" in response.json()["detail"]
