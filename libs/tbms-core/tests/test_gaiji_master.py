"""The 外字 master as the outputs use it (N26): effective-dated substitutes over the settings' JSON table."""

import json
from datetime import date
from pathlib import Path

import pytest
from tbms_contracts.masters import MasterSnapshot
from tbms_core.gaiji_master import GaijiEntry, GaijiMaster, entry_of, substitutes_in_force
from tbms_core.jp.gaiji import GaijiMode, output_text

YOSHI = GaijiEntry("U+20BB7", "𠮷", "吉", date(2001, 4, 1), date(2001, 9, 30), 1)
HOKKE = GaijiEntry("U+29E3D", "𩸽", "ほっけ", date(2001, 10, 1), None, 1)


def snapshot(kind: str, data: dict[str, str], version: int = 1) -> MasterSnapshot:
    return MasterSnapshot(
        kind=kind, code="U+20BB7", name="𠮷（吉）", data=data, valid_from=date(2001, 4, 1), version=version
    )


@pytest.mark.req("N26", partial=True)
class TestGaijiMaster:
    def test_only_the_records_in_force_on_the_day_substitute(self) -> None:
        assert substitutes_in_force([YOSHI, HOKKE], date(2001, 4, 1)) == {"𠮷": "吉"}
        assert substitutes_in_force([YOSHI, HOKKE], date(2001, 9, 30)) == {"𠮷": "吉"}
        assert substitutes_in_force([YOSHI, HOKKE], date(2001, 10, 1)) == {"𩸽": "ほっけ"}
        assert substitutes_in_force([YOSHI, HOKKE], date(2001, 3, 31)) == {}

    def test_a_snapshot_of_another_kind_or_without_its_fields_is_no_record(self) -> None:
        entry = entry_of(snapshot("gaiji", {"character": "𠮷", "substitute": "吉"}, version=3))
        assert entry == GaijiEntry("U+20BB7", "𠮷", "吉", date(2001, 4, 1), None, 3)
        assert entry_of(snapshot("code", {"character": "𠮷", "substitute": "吉"})) is None
        assert entry_of(snapshot("gaiji", {"character": "𠮷", "substitute": ""})) is None

    def test_the_master_wins_over_the_settings_table_which_fills_in_only_where_it_has_nothing(
        self, tmp_path: Path
    ) -> None:
        table = tmp_path / "substitutes.json"
        table.write_text(json.dumps({"𠮷": "土口", "𩸽": "魚"}, ensure_ascii=False), encoding="utf-8")
        master = GaijiMaster([YOSHI])

        in_force = master.policy("substitute", str(table), date(2001, 5, 1))
        ended = master.policy("substitute", str(table), date(2001, 10, 1))

        assert in_force.mode is GaijiMode.SUBSTITUTE
        assert output_text("𠮷田 𩸽野", "csv", in_force) == "吉田 魚野"
        assert output_text("𠮷田 𩸽野", "csv", ended) == "土口田 魚野"

    def test_a_newer_version_replaces_the_record_and_an_older_one_does_not(self) -> None:
        master = GaijiMaster([YOSHI])
        day = date(2001, 5, 1)
        assert master.policy("substitute", "", day).substitutes == {"𠮷": "吉"}

        master.put(GaijiEntry("U+20BB7", "𠮷", "よし", date(2001, 4, 1), None, 2))
        master.put(GaijiEntry("U+20BB7", "𠮷", "古", date(2001, 4, 1), None, 1))

        assert master.policy("substitute", "", day).substitutes == {"𠮷": "よし"}
        master.replace([])
        assert master.substitutes(day) == {}
