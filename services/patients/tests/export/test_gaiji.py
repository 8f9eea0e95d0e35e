"""The patients CSV in Shift_JIS (CP932) under the health center's 外字 policy (N26): a name the encoding cannot
carry is written with its registered substitute; without one the file is refused with the places until 〓 is
accepted, and the UTF-8 file keeps the exact characters."""

import csv
import io
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from patients.settings import get_settings
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]


async def export(client: httpx.AsyncClient, **params: str) -> httpx.Response:
    response = await client.get("/patients/export", params=params, headers=auth_headers("nurse1"))
    assert response.status_code == 200, response.text
    return response


def names_in(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("氏名")
    return [row[column] for row in rows[1:]]


@pytest.fixture
def substitutes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The health center substitutes 𠮷 with 吉 (its registered table); other 外字 have none."""
    table = tmp_path / f"substitutes-{uuid.uuid4().hex}.json"
    table.write_text(json.dumps({"𠮷": "吉"}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(get_settings(), "gaiji_mode", "substitute")
    monkeypatch.setattr(get_settings(), "gaiji_substitutes_file", str(table))


@pytest.mark.req("N26", partial=True)
class TestCp932Export:
    async def test_the_registered_substitute_and_geta_replace_what_cp932_cannot_carry(
        self, client: httpx.AsyncClient, make_patient: MakePatient, substitutes: None
    ) -> None:
        district = f"外字{uuid.uuid4().hex[:6]}"
        await make_patient(name="𠮷田 太郎", district=district)
        await make_patient(name="𩸽野 花子", district=district)

        sjis = await export(client, district=district, encoding="cp932", substitute="true")
        utf8 = await export(client, district=district)

        assert sjis.headers["content-type"] == "text/csv; charset=Shift_JIS"
        assert set(names_in(sjis.content.decode("cp932"))) == {"吉田 太郎", "〓野 花子"}
        assert sjis.headers["x-tbms-replaced-cells"] == "1"
        assert set(names_in(utf8.content.decode("utf-8-sig"))) == {"𠮷田 太郎", "𩸽野 花子"}

    async def test_a_character_without_substitute_is_refused_with_its_place_until_geta_is_accepted(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = f"外字{uuid.uuid4().hex[:6]}"
        await make_patient(name="𠮷田 次郎", district=district)
        params = {"district": district, "encoding": "cp932"}

        refused = await client.get("/patients/export", params=params, headers=auth_headers("nurse1"))
        sjis = await export(client, **params, substitute="true")

        assert refused.status_code == 422 and refused.json()["code"] == "csv_not_in_cp932"
        assert "1行目の「氏名」の「𠮷」（U+20BB7）" in refused.json()["detail"]
        assert names_in(sjis.content.decode("cp932")) == ["〓田 次郎"]

    async def test_ibm_and_nec_extensions_pass_in_cp932_without_asking(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = f"外字{uuid.uuid4().hex[:6]}"
        await make_patient(name="髙橋 ①子", district=district)

        sjis = await export(client, district=district, encoding="cp932")

        assert names_in(sjis.content.decode("cp932")) == ["髙橋 ①子"]

    async def test_an_unknown_encoding_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/patients/export", params={"encoding": "euc-jp"}, headers=auth_headers("nurse1"))

        assert response.status_code == 422 and "encoding" in response.json()["errors"]
