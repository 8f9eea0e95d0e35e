"""`tbms deadlines sweep` runs the daily deadline sweep of patients and contacts now and reports each (R11, R17)."""

from __future__ import annotations

import httpx
import pytest
import respx
from tbms_tools import config, deadlines
from tbms_tools.cli import build_parser


@pytest.mark.req("R11", "R17", partial=True)
def test_the_sweep_asks_both_services_and_reports_what_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deadlines, "auth_headers", lambda user: {"Authorization": f"Bearer {user}"})
    lines: list[str] = []
    with respx.mock(assert_all_called=True) as fake:
        patients = fake.post(f"{config.service_url('patients')}/deadlines/sweep").mock(
            return_value=httpx.Response(200, json={"checked": 120, "republished": 3})
        )
        fake.post(f"{config.service_url('contacts')}/deadlines/sweep").mock(
            return_value=httpx.Response(200, json={"checked": 40, "republished": 0})
        )
        done = deadlines.sweep("nurse1", report=lines.append)
    assert done["patients"] == {"checked": 120, "republished": 3}
    assert lines == ["patients: 120 recomputed, 3 republished", "contacts: 40 recomputed, 0 republished"]
    assert patients.calls[0].request.headers["authorization"] == "Bearer nurse1"


def test_the_command_is_there() -> None:
    args = build_parser().parse_args(["deadlines", "sweep", "--user", "chief1", "--all"])
    assert (args.group, args.action, args.user, args.all) == ("deadlines", "sweep", "chief1", True)
