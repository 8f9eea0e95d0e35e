"""外字 in the outputs themselves (N26): a CP932 CSV and a printed text carry the registered substitute, else 〓."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tbms_core.csv_export import REPLACED_HEADER, CsvNotInCp932, cp932_bytes, csv_response
from tbms_core.jp.gaiji import (
    GETA,
    GaijiMode,
    GaijiPolicy,
    fold_gaiji,
    load_policy,
    output_text,
    registered_substitutes,
)

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


@pytest.mark.req("N26", partial=True)
class TestCp932Refusal:
    """A Shift_JIS file never loses a character silently: refused with the places, or 〓 when the user accepts it."""

    HEADER = ("氏名", "住所")
    ROWS = (("𠮷田 太郎", "世田谷区1-2"), ("髙橋 ①子", "北沢\ue000町"), ("森 鷗外", "赤堤"))

    def test_characters_cp932_lacks_are_refused_with_their_rows_and_columns(self) -> None:
        with pytest.raises(CsvNotInCp932) as refused:
            csv_response("患者.csv", self.HEADER, self.ROWS, encoding="cp932")

        message = refused.value.message
        assert "1行目の「氏名」の「𠮷」（U+20BB7）" in message
        assert "2行目の「住所」の「\ue000」（U+E000）" in message  # a private-use 外字, though CP932 has a user area
        assert "3行目の「氏名」の「鷗」（U+9DD7）" in message  # JIS X 0213, not CP932
        assert "髙" not in message and "①" not in message  # IBM and NEC extensions: CP932 carries them
        assert refused.value.status_code == 422 and "encoding" in refused.value.errors

    def test_accepted_substitution_writes_geta_and_counts_the_cells(self) -> None:
        answer = csv_response("患者.csv", self.HEADER, self.ROWS, encoding="cp932", substitute=True)

        assert answer.body.decode("cp932").splitlines()[1:] == [
            f"{GETA}田 太郎,世田谷区1-2",
            f"髙橋 ①子,北沢{GETA}町",
            f"森 {GETA}外,赤堤",
        ]
        assert answer.headers[REPLACED_HEADER] == "3"

    def test_registered_substitutes_are_the_policy_and_need_no_consent(self) -> None:
        policy = GaijiPolicy(GaijiMode.SUBSTITUTE, {"𠮷": "吉", "\ue000": "丁", "鷗": "鴎"})

        answer = csv_response("患者.csv", self.HEADER, self.ROWS, encoding="cp932", policy=policy)

        assert "吉田 太郎" in answer.body.decode("cp932") and "北沢丁町" in answer.body.decode("cp932")
        assert answer.headers[REPLACED_HEADER] == "0"

    def test_a_long_list_names_twenty_places_and_counts_the_rest(self) -> None:
        rows = [(f"𠮷田 {n}", "") for n in range(25)]
        with pytest.raises(CsvNotInCp932) as refused:
            csv_response("患者.csv", self.HEADER, rows, encoding="cp932")
        assert "25か所" in refused.value.message and "ほか5か所" in refused.value.message

    def test_utf8_keeps_every_character(self) -> None:
        answer = csv_response("患者.csv", self.HEADER, self.ROWS)
        assert "北沢\ue000町" in answer.body.decode("utf-8-sig") and "𠮷田" in answer.body.decode("utf-8-sig")


@pytest.mark.req("N26", partial=True)
def test_a_private_use_character_is_not_carried_by_any_output() -> None:
    for key in ("print", "csv", "nesid"):
        assert output_text("北沢\ue000町", key) == f"北沢{GETA}町"


@pytest.mark.req("N26", partial=True)
class TestGaijiMasterTable:
    """The 外字 master's records as a table of substitutes for outputs and search."""

    RECORDS = (
        {"code": "U+20BB7", "data": {"character": "𠮷", "substitute": "吉"}},
        {"code": "U+E000", "data": {"character": "\ue000", "substitute": "辺"}},
        {"code": "broken", "data": {"character": "", "substitute": "x"}},
    )

    def test_the_records_become_the_policys_substitutes_over_the_settings_file(self, tmp_path: Path) -> None:
        table = tmp_path / "substitutes.json"
        table.write_text(json.dumps({"𠮷": "古", "鷗": "鴎"}, ensure_ascii=False), encoding="utf-8")
        registered = registered_substitutes(self.RECORDS)
        policy = load_policy("substitute", str(table), registered)
        assert registered == {"𠮷": "吉", "\ue000": "辺"}
        assert policy.substitutes == {"𠮷": "吉", "鷗": "鴎", "\ue000": "辺"}
        assert output_text("渡\ue000 𠮷子", "csv", policy) == "渡辺 吉子"

    def test_search_folds_a_registered_gaiji_to_its_substitute(self) -> None:
        registered = registered_substitutes(self.RECORDS)
        assert fold_gaiji("𠮷田", registered) == "吉田" and fold_gaiji("𠮷田", {}) == "𠮷田"
