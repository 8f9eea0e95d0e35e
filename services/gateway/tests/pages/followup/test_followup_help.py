"""The /followup pages' 「この画面の使い方」: shipped with the gateway, shown on the list, a patient's 管理検診 and
investigation pages and the settings, and replaced by an administrator's edit (N25, R06)."""

from __future__ import annotations

import pytest
from gateway.web import help_texts

PATHS = (
    "/followup",
    "/followup/patients/9b4a2c1e-0000-4000-8000-000000000001",
    "/followup/patients/9b4a2c1e-0000-4000-8000-000000000001/investigation",
    "/followup/settings",
)


@pytest.mark.req("N25", "R06", partial=True)
async def test_every_followup_page_has_its_help_and_an_edit_replaces_it() -> None:
    texts = help_texts.Texts(help_texts.MemoryTexts())
    for path in PATHS:
        found = texts.page_help(path)
        assert found is not None, path
        slug, shown = found
        assert slug == "followup"
        for said in ("今月送るお知らせ", "予定日の横に、その日になった理由", "実施済の検診は動きません", "再通知日"):
            assert said in shown, said
        assert "感染性期間" in shown and "管理検診お知らせ（F29）を出力" in shown
    assert help_texts.EDITABLE["followup"] == "管理検診・行動調査"
    await texts.save("followup", "- 保健所の手順：お知らせは毎月1日に送ります。", based_on=0, saved_by="admin1")
    assert "毎月1日" in texts.page_help("/followup")[1]  # type: ignore[index]
