"""The /followup pages' 「この画面の使い方」: shipped with the gateway, shown on the list, a patient's 管理検診 and
investigation pages and the settings, and replaced by an administrator's edit (N25, R06)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gateway.web import help_texts

PATHS = (
    "/followup",
    "/followup/patients/9b4a2c1e-0000-4000-8000-000000000001",
    "/followup/patients/9b4a2c1e-0000-4000-8000-000000000001/investigation",
    "/followup/settings",
)


@pytest.mark.req("N25", "R06", partial=True)
def test_every_followup_page_has_its_help_and_an_edit_replaces_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TBMS_GATEWAY_HELP_DIR", str(tmp_path))
    for path in PATHS:
        found = help_texts.page_help(path)
        assert found is not None, path
        slug, shown = found
        assert slug == "followup"
        for said in ("今月送るお知らせ", "予定日の横に、その日になった理由", "実施済の検診は動きません", "再通知日"):
            assert said in shown, said
        assert "感染性期間" in shown and "管理検診お知らせ（F29）を出力" in shown
    assert help_texts.EDITABLE["followup"] == "管理検診・行動調査"
    help_texts.save("followup", "- 保健所の手順：お知らせは毎月1日に送ります。")
    assert "毎月1日" in help_texts.page_help("/followup")[1]  # type: ignore[index]
