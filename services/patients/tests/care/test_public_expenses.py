"""公費負担 records (法37条 入院, 法37条の2 一般医療) on the card, and the 検証番号 of their numbers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from patients.care.numbers import check_digit, has_valid_check_digit
from patients.care.schemas import six_months_end
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
PATH = "public-expenses"
# Synthetic numbers, 検証番号 worked out by hand (weights 2,1,2,… from the right, digit sums):
# 1013001 → 2+0+0+3+2+0+2 = 9 → 1;  1113001 → 2+0+0+3+2+1+2 = 10 → 0;  123456 → 3+5+8+3+4+1 = 24 → 6.
PAYER_37_2, PAYER_37, RECIPIENT = "10130011", "11130010", "1234566"
APPROVED = {
    "basis": "37-2",
    "applied_on": "R8.4.1",
    "status": "approved",
    "valid_from": "R8.4.1",
    "valid_to": "R8.9.30",
    "payer_number": PAYER_37_2,
    "recipient_number": RECIPIENT,
    "institution": "試験クリニック",
}


async def post(client: httpx.AsyncClient, patient: dict, body: dict, user: str = "nurse1") -> httpx.Response:
    """Records a 公費負担 record of a patient."""
    return await client.post(f"/patients/{patient['id']}/{PATH}", json=body, headers=auth_headers(user))


async def listing(client: httpx.AsyncClient, patient: dict) -> list[dict[str, Any]]:
    """A patient's 公費負担 records, as a reader sees them."""
    response = await client.get(f"/patients/{patient['id']}/{PATH}", headers=auth_headers("viewer1"))
    assert response.status_code == 200
    return response.json()["items"]


def messages(response: httpx.Response) -> dict[str, str]:
    """The per-field messages of a refused request."""
    assert response.status_code == 422, response.text
    return response.json()["errors"]


class TestCheckDigit:
    """The MHLW 検証番号 of 公費負担者番号 and 受給者番号."""

    @pytest.mark.parametrize(
        ("body", "digit"),
        [
            ("1013001", 1),  # 37条の2, Tokyo (13), 実施機関 001
            ("1113001", 0),  # 37条: sum 10, so the 検証番号 is 0, not 10
            ("1027105", 4),  # 5×2 = 10 counts as 1: 1+0+2+7+4+0+2 = 16 → 4
            ("123456", 6),  # products 12 and 8 → 1+2 counts as 3
            ("987654", 1),  # 8+5+(1+2)+7+(1+6)+9 = 39 → 1
            ("000000", 0),
        ],
    )
    def test_the_digit_follows_the_mhlw_rule(self, body: str, digit: int) -> None:
        assert check_digit(body) == digit

    def test_a_number_is_valid_only_with_its_own_check_digit(self) -> None:
        assert has_valid_check_digit(PAYER_37_2) and has_valid_check_digit(PAYER_37)
        assert has_valid_check_digit(RECIPIENT)
        assert not has_valid_check_digit("10130012")
        assert not has_valid_check_digit("１０１３００１１")  # full-width digits are folded before this check
        assert not has_valid_check_digit("1")


class TestSixMonths:
    """The longest 37条の2 period: up to the day before the same day six months later."""

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (date(2026, 4, 1), date(2026, 9, 30)),
            (date(2026, 3, 15), date(2026, 9, 14)),
            (date(2026, 8, 31), date(2027, 2, 28)),  # no 31 February: the end of that month
            (date(2027, 8, 31), date(2028, 2, 29)),
            (date(2026, 10, 1), date(2027, 3, 31)),
        ],
    )
    def test_the_last_day(self, start: date, end: date) -> None:
        assert six_months_end(start) == end


@pytest.mark.req("R03")
class TestRecordPublicExpense:
    """Recording a 公費負担 application and its approval."""

    async def test_an_approved_cover_is_stored_listed_and_labelled(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        typed = {**APPROVED, "payer_number": "１０１３００１１", "recipient_number": " 1234566 "}
        response = await post(client, patient, typed)
        assert response.status_code == 201, response.text
        record = response.json()
        assert record["data"] == {
            "basis": "37-2",
            "applied_on": "2026-04-01",
            "status": "approved",
            "valid_from": "2026-04-01",
            "valid_to": "2026-09-30",
            "payer_number": PAYER_37_2,
            "recipient_number": RECIPIENT,
            "institution": "試験クリニック",
            "institution_code": "",  # typed, not picked from the masters
            "note": "",
        }
        assert record["labels"] == {"basis": "37条の2（一般医療）", "status": "承認"}
        assert [item["id"] for item in await listing(client, patient)] == [record["id"]]

    async def test_an_application_needs_only_its_basis_and_starts_as_applied(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        response = await post(client, patient, {"basis": "37"})
        assert response.status_code == 201, response.text
        assert response.json()["data"]["status"] == "applied"
        assert response.json()["labels"]["status"] == "申請中"
        assert response.json()["data"]["payer_number"] == ""

    async def test_every_wrong_item_gets_a_japanese_message_and_nothing_is_stored(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        errors = messages(
            await post(
                client,
                patient,
                {
                    "basis": "38",
                    "status": "done",
                    "applied_on": "R20.1.1",
                    "payer_number": "1013-001",
                    "recipient_number": "123456",
                },
            )
        )
        assert errors["basis"] == "公費負担の根拠が選択肢にありません。"
        assert errors["status"] == "申請の状況が選択肢にありません。"
        assert errors["applied_on"] == "未来の日付は入力できません。"
        assert errors["payer_number"] == "公費負担者番号は8桁の数字で入力してください。"
        assert errors["recipient_number"] == "受給者番号は7桁の数字で入力してください。"
        assert "basis" in messages(await post(client, patient, {"status": "applied"}))
        assert messages(await post(client, patient, {"basis": None}))["basis"] == (
            "公費負担の根拠（37条・37条の2）を選んでください。"
        )
        assert await listing(client, patient) == []

    async def test_an_approval_needs_its_period_in_order(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        errors = messages(await post(client, patient, {"basis": "37", "status": "approved"}))
        assert errors == {
            "valid_from": "承認のときは有効期間の開始日を入力してください。",
            "valid_to": "承認のときは有効期間の終了日を入力してください。",
        }
        backwards = {"basis": "37", "status": "approved", "valid_from": "2026-05-01", "valid_to": "R8.4.30"}
        assert messages(await post(client, patient, backwards)) == {
            "valid_to": "有効期間の終了日が開始日より前になっています。"
        }
        assert await listing(client, patient) == []

    async def test_a_37_2_cover_lasts_at_most_six_months(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        too_long = await post(client, patient, {**APPROVED, "valid_to": "R8.10.1"})
        assert (
            messages(too_long)["valid_to"] == "37条の2の有効期間は6か月以内です（この開始日では令和8年9月30日まで）。"
        )
        assert (await post(client, patient, APPROVED)).status_code == 201  # R8.9.30 is the last day
        long_stay = {**APPROVED, "basis": "37", "payer_number": PAYER_37, "valid_to": "R9.3.31"}
        assert (await post(client, patient, long_stay)).status_code == 201  # 37条 has no six-month limit

    async def test_numbers_must_carry_their_law_number_and_check_digit(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        wrong_law = messages(await post(client, patient, {**APPROVED, "payer_number": PAYER_37}))
        assert wrong_law["payer_number"] == (
            "37条の2（一般医療）の公費負担者番号は法別番号「10」で始まります。番号と根拠を確認してください。"
        )
        typo = messages(
            await post(client, patient, {**APPROVED, "payer_number": "10130012", "recipient_number": "1234567"})
        )
        assert (
            typo["payer_number"]
            == "公費負担者番号の検証番号（最後の1桁）が合いません。番号の誤りがないか確認してください。"
        )
        assert typo["recipient_number"].startswith("受給者番号の検証番号")
        assert await listing(client, patient) == []

    @pytest.mark.req("R32")
    async def test_a_read_only_user_cannot_record(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        assert (await post(client, patient, APPROVED, "viewer1")).status_code == 403
        assert await listing(client, patient) == []


@pytest.mark.req("R03")
@pytest.mark.req("R21", partial=True)
class TestCorrectPublicExpense:
    """Corrections: the approval of an application, and the record kept consistent as a whole."""

    async def test_an_application_is_approved_by_a_correction_kept_in_the_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        applied = (await post(client, patient, {"basis": "37-2", "applied_on": "R8.11.2"})).json()
        url = f"/patients/{patient['id']}/{PATH}/{applied['id']}"
        approval = {"status": "approved", "valid_from": "R8.11.2", "valid_to": "R9.5.1", "recipient_number": RECIPIENT}
        body = {"version": 1, "changes": approval, "reason": "診査協議会で承認"}
        response = await client.patch(url, json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 2 and response.json()["labels"]["status"] == "承認"
        history = (await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("viewer1"))).json()
        entry = history["items"][0]
        assert entry["record_label"] == "公費負担" and entry["reason"] == "診査協議会で承認"
        changes = {c["label"]: (c["old"], c["new"]) for c in entry["changes"]}
        assert changes["申請の状況"] == ("申請中", "承認")
        assert changes["有効期間（終了）"] == ("（空欄）", "令和9年5月1日（2027年5月1日）")
        assert changes["受給者番号"] == ("（空欄）", RECIPIENT)

    async def test_a_correction_that_breaks_the_whole_record_is_refused(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        record = (await post(client, patient, {**APPROVED, "basis": "37", "payer_number": PAYER_37})).json()
        url = f"/patients/{patient['id']}/{PATH}/{record['id']}"
        to_37_2 = {"version": 1, "changes": {"basis": "37-2"}}  # the number keeps 法別番号 11
        response = await client.patch(url, json=to_37_2, headers=auth_headers("nurse1"))
        assert "法別番号「10」" in messages(response)["payer_number"]
        no_end = {"version": 1, "changes": {"valid_to": None}}
        assert "valid_to" in messages(await client.patch(url, json=no_end, headers=auth_headers("nurse1")))
        no_status = {"version": 1, "changes": {"status": None}}
        assert messages(await client.patch(url, json=no_status, headers=auth_headers("nurse1"))) == {
            "status": "申請の状況を選んでください。"
        }
        shown = (await listing(client, patient))[0]
        assert shown["version"] == 1 and shown["data"]["basis"] == "37"
        ended = {"version": 1, "changes": {"status": "ended", "note": "転出のため終了"}, "reason": "転出"}
        response = await client.patch(url, json=ended, headers=auth_headers("nurse1"))
        assert response.status_code == 200 and response.json()["labels"]["status"] == "終了"
        stale = await client.patch(url, json=ended, headers=auth_headers("nurse1"))
        assert stale.status_code == 409
        assert "他の利用者" in json.dumps(stale.json(), ensure_ascii=False)
