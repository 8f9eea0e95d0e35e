"""外字: which characters a form, a CP932 CSV or a NESID file cannot carry, and the health center's policy."""

from __future__ import annotations

import pytest
from tbms_core.jp.gaiji import OUTPUTS, GaijiMode, GaijiPolicy, carried_as, check_text, collapse_spaces, not_carried

PRINT, CSV, NESID = OUTPUTS


@pytest.mark.req("N26", partial=True)
class TestGaiji:
    def test_everyday_names_pass_every_output(self) -> None:
        report = check_text("試験 花子")
        assert report.ok and not report.refused and report.message == ""
        assert set(report.shown_as.values()) == {"試験 花子"}

    def test_a_character_outside_jis_is_named_with_what_each_output_shows(self) -> None:
        report = check_text("𠮷田 太郎")
        assert report.missing == ("𠮷",) and not report.refused
        assert report.shown_as == {"print": "〓田 太郎", "csv": "〓田 太郎", "nesid": "〓田 太郎"}
        assert "「𠮷」（U+20BB7）" in report.message and "登録はできます" in report.message

    def test_a_cp932_vendor_character_reaches_csv_but_not_nesid(self) -> None:
        assert not_carried("髙橋", CSV) == [] and not_carried("髙橋", NESID) == ["髙"]
        assert carried_as("髙橋", NESID) == "〓橋"

    def test_refuse_policy_refuses(self) -> None:
        report = check_text("𠮷田", GaijiPolicy(GaijiMode.REFUSE))
        assert report.refused and "登録できません" in report.message

    def test_substitute_policy_uses_the_registered_substitute(self) -> None:
        policy = GaijiPolicy(GaijiMode.SUBSTITUTE, {"𠮷": "吉"})
        report = check_text("𠮷田", policy)
        assert not report.refused and report.shown_as["csv"] == "吉田"
        unregistered = check_text("𠮷田 髙子", policy)
        assert unregistered.refused and unregistered.unregistered == ("髙",)

    def test_a_substitute_the_output_cannot_carry_falls_back_to_geta(self) -> None:
        assert carried_as("𠮷", CSV, {"𠮷": "𠀋"}) == "〓"

    def test_runs_of_spaces_collapse_to_one(self) -> None:
        assert collapse_spaces("  試験　　花子  ") == "試験　花子"
        assert collapse_spaces("試験   花子") == "試験 花子"
