"""外字 in the outputs themselves (N26): a CP932 CSV and a printed text carry the registered substitute, else 〓."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tbms_core.csv_export import cp932_bytes, csv_response
from tbms_core.jp.gaiji import GETA, GaijiMode, GaijiPolicy, load_policy, output_text

SUBSTITUTE = GaijiPolicy(GaijiMode.SUBSTITUTE, {"𠮷": "吉", "髙": "高", "鷗": "鴎"})


@pytest.mark.req("N26", partial=True)
class TestOutputText:
    def test_the_csv_carries_the_registered_substitute_and_geta_for_an_unregistered_character(self) -> None:
        assert output_text("𠮷田 太郎", "csv", SUBSTITUTE) == "吉田 太郎"
        assert output_text("𩸽野 一郎", "csv", SUBSTITUTE) == f"{GETA}野 一郎"  # JIS X 0213, not CP932

    def test_under_the_warning_policy_outputs_show_geta_never_the_substitute(self) -> None:
        warn = GaijiPolicy(GaijiMode.WARN, {"𠮷": "吉"})
        assert output_text("𠮷田", "csv", warn) == f"{GETA}田"

    def test_a_print_keeps_what_jis_x_0213_carries_and_substitutes_the_rest(self) -> None:
        assert output_text("森 鷗外", "print", SUBSTITUTE) == "森 鷗外"  # the forms' fonts carry JIS X 0213
        assert output_text("森 鷗外", "csv", SUBSTITUTE) == "森 鴎外"
        assert output_text("𠮷田", "print", SUBSTITUTE) == "吉田"  # beyond JIS X 0213 too
        assert output_text("髙橋", "nesid", SUBSTITUTE) == "高橋"

    def test_the_policy_is_read_from_the_settings_file(self, tmp_path: Path) -> None:
        table = tmp_path / "substitutes.json"
        table.write_text(json.dumps({"𠮷": "吉"}, ensure_ascii=False), encoding="utf-8")
        assert load_policy("substitute", str(table)) == GaijiPolicy(GaijiMode.SUBSTITUTE, {"𠮷": "吉"})


@pytest.mark.req("N26", partial=True)
class TestCp932Csv:
    def test_a_cp932_file_decodes_with_the_substitutes_and_no_bom(self) -> None:
        content = cp932_bytes(["氏名", "件数"], [["𠮷田 太郎", 3], ["𩸽野 一郎", None]], SUBSTITUTE)

        assert not content.startswith(b"\xef\xbb\xbf")
        assert content.decode("cp932") == f"氏名,件数\r\n吉田 太郎,3\r\n{GETA}野 一郎,\r\n"

    def test_the_response_says_shift_jis_and_utf8_stays_exact(self) -> None:
        sjis = csv_response("患者.csv", ["氏名"], [["𠮷田"]], encoding="cp932", policy=SUBSTITUTE)
        utf8 = csv_response("患者.csv", ["氏名"], [["𠮷田"]], policy=SUBSTITUTE)

        assert sjis.media_type == "text/csv; charset=Shift_JIS" and sjis.body.decode("cp932").endswith("吉田\r\n")
        assert utf8.body.decode("utf-8-sig").endswith("𠮷田\r\n")
