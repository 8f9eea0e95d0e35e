"""patients' DOTS answers as the real service gave them (dots_api.json: recorded from the patients API run in-process
on a fresh database on 2026-12-03, synthetic people only), and the routes that serve them to the gateway.

The recorded patient 試験 太郎 is on 2HREZ/4HR from 2026-10-01 with an outpatient plan of intensity B, and has
a confirmation for each day of November 2026 (missed on the 4th and 5th, unknown on the 11th)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from tbms_core.clock import frozen_at, jst

from ...conftest import PATIENTS

RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "dots_api.json").read_text(encoding="utf-8"))
PATIENT = RECORDED["patient"]
PATIENT_ID = PATIENT["id"]
TREATMENT_ID = RECORDED["treatment"]["id"]
DOTS = f"{PATIENTS}/patients/{PATIENT_ID}/dots"


def recorded(name: str) -> Any:
    """A deep copy of one recorded answer, free for a test to change."""
    return copy.deepcopy(RECORDED[name])


def error(name: str, status: int) -> httpx.Response:
    """A recorded refusal of patients (422, 409 or 403)."""
    return httpx.Response(status, json=RECORDED[name])


@pytest.fixture(autouse=True)
def on_the_recording_day() -> Iterator[None]:
    """The clock on the day the answers were recorded (so November 2026 is wholly in the past)."""
    with frozen_at(jst(2026, 12, 3, 10)):
        yield


def mock_dots_patient(
    backends: respx.MockRouter, *, confirmations: list[dict[str, Any]] | None = None
) -> dict[str, respx.Route]:
    """patients answers the patient's DOTS page: the patient, settings, plans, assessments, course, confirmations."""
    month = {"items": RECORDED["confirmations"]["items"] if confirmations is None else confirmations}
    return {
        "patient": backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(
            return_value=httpx.Response(200, json=PATIENT)
        ),
        "settings": mock_settings(backends),
        "plans": backends.get(f"{DOTS}/plans").mock(return_value=httpx.Response(200, json=RECORDED["plans"])),
        "assessments": backends.get(f"{DOTS}/assessments").mock(
            return_value=httpx.Response(200, json=RECORDED["assessments"])
        ),
        "course": backends.get(f"{DOTS}/course").mock(return_value=httpx.Response(200, json=RECORDED["course"])),
        "confirmations": backends.get(f"{DOTS}/confirmations").mock(return_value=httpx.Response(200, json=month)),
    }


def mock_settings(backends: respx.MockRouter) -> respx.Route:
    """patients' DOTS settings and code lists."""
    return backends.get(f"{PATIENTS}/dots/settings").mock(return_value=httpx.Response(200, json=RECORDED["settings"]))


def mock_day_sheet(backends: respx.MockRouter, sheet: dict[str, Any] | None = None) -> respx.Route:
    """patients answers the day sheet (and its settings)."""
    mock_settings(backends)
    return backends.get(f"{PATIENTS}/dots/day-sheet").mock(
        return_value=httpx.Response(200, json=sheet or RECORDED["day_sheet"])
    )


def mock_cohort(backends: respx.MockRouter) -> respx.Route:
    """patients answers the cohort list of 2026Q4 (and refuses a period it cannot read)."""
    mock_settings(backends)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("period") == "2026Q4":
            return httpx.Response(200, json=RECORDED["cohort"])
        return error("cohort_422", 422)

    return backends.get(f"{PATIENTS}/dots/cohort").mock(side_effect=answer)
