"""`tbms replay reports|contacts` pages through patients' snapshots by id and sends every one to the read model,
page after page until patients says there is no next page (R28)."""

from __future__ import annotations

import json

import httpx
import pytest
from tbms_tools.replay import KINDS, backfill


class Patients:
    """`GET /admin/snapshots/patients` over a sorted list of ids, `after` and `limit` as the service reads them."""

    def __init__(self, count: int) -> None:
        self.ids = [f"{number:08d}-0000-4000-8000-000000000000" for number in range(count)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        limit, after = int(request.url.params["limit"]), request.url.params.get("after", "")
        items = [{"id": i, "version": 1} for i in self.ids if i > after][:limit]
        return httpx.Response(
            200, json={"items": items, "next_after": items[-1]["id"] if len(items) == limit else None}
        )


class ReadModel:
    """`POST /admin/backfill/patients`: holds every patient at version 1 already but the ones in `missing`."""

    def __init__(self, missing: set[str]) -> None:
        self.missing, self.received = missing, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        items = json.loads(request.content)["items"]
        self.received += [item["id"] for item in items]
        applied = sum(item["id"] in self.missing for item in items)
        return httpx.Response(200, json={"received": len(items), "applied": applied, "current": len(items) - applied})


@pytest.mark.req("R28", partial=True)
@pytest.mark.parametrize("count", [0, 1, 9, 10, 11, 25])
def test_every_patient_is_sent_once_and_the_counts_add_up(count: int) -> None:
    patients, read_model = Patients(count), ReadModel(missing=set(Patients(count).ids[::3]))
    with (
        httpx.Client(transport=httpx.MockTransport(patients), base_url="http://patients") as source,
        httpx.Client(transport=httpx.MockTransport(read_model), base_url="http://reports") as target,
    ):
        progress = backfill(source, target, target="reports", page_size=10, report=lambda _: None)
    assert read_model.received == patients.ids
    assert (progress.received, progress.applied) == (count, len(read_model.missing))
    assert progress.current == count - len(read_model.missing)


@pytest.mark.req("R28", partial=True)
@pytest.mark.parametrize("kind", ["lab-results", "care-records", "followup-exams", "investigations", "board-records"])
def test_reports_other_read_models_are_paged_from_their_own_snapshots_into_their_own_backfill(kind: str) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path}")
        if request.method == "GET":
            return httpx.Response(200, json={"items": [{"id": "r1", "version": 2}], "next_after": None})
        return httpx.Response(200, json={"received": 1, "applied": 1, "current": 0})

    transport = httpx.MockTransport(answer)
    with (
        httpx.Client(transport=transport, base_url="http://patients") as source,
        httpx.Client(transport=transport, base_url="http://reports") as target,
    ):
        progress = backfill(source, target, target="reports", kind=kind, report=lambda _: None)
    assert asked == [f"GET /admin/snapshots/{kind}", f"POST /admin/backfill/{kind}"]
    assert progress.applied == 1


@pytest.mark.req("R28", partial=True)
def test_reports_rebuilds_every_read_model_fed_by_the_patients_service_patients_first() -> None:
    assert KINDS["reports"] == (
        "patients",
        "lab-results",
        "care-records",
        "followup-exams",
        "investigations",
        "board-records",
    )
    assert KINDS["contacts"] == ("patients",)
