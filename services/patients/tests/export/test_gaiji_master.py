"""The patients CSV in CP932 writes the substitute of masters' 外字 master (N26): patients keeps the 外字 records
masters sends (MasterChanged, kind gaiji) and an export writes the substitute in force on its day; the settings'
JSON table counts only for a character the master has nothing in force for."""

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from patients.settings import get_settings
from sqlalchemy import text
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.events import publish

from .test_gaiji import MakePatient, export, names_in

WAIT = 30  # seconds an event may take through JetStream on a busy machine
# 𠀀, 𠀁, 𠀂 and 𩵋: CJK extension B characters CP932 cannot carry (no other test of patients registers them)


def gaiji_event(character: str, substitute: str, valid_from: date, valid_to: date | None, version: int) -> Envelope:
    """MasterChanged of a 外字 record as masters sends it."""
    code = f"U+{ord(character):04X}"
    snapshot = MasterSnapshot(
        kind="gaiji",
        code=code,
        name=f"{character}（{substitute}）",
        data={"character": character, "substitute": substitute, "note": ""},
        valid_from=valid_from,
        valid_to=valid_to,
        version=version,
    )
    event = MasterChanged(kind="gaiji", code=code, snapshot=snapshot)
    return Envelope.of(event, aggregate_id=record_id("gaiji", code), version=version, actor="test")


async def kept(client: httpx.AsyncClient, character: str, version: int) -> bool:
    """The 外字 record has reached the version in patients' read model."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        found = await session.scalar(
            text("SELECT version FROM gaiji_records WHERE code = :code"), {"code": f"U+{ord(character):04X}"}
        )
    return found is not None and found >= version


@pytest.fixture
def substituting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The health center substitutes; its settings' table has an older substitute of 𠀀 and 𠀂 and one of 𩵋."""
    table = tmp_path / f"substitutes-{uuid.uuid4().hex}.json"
    table.write_text(json.dumps({"𠀀": "土口", "𠀂": "下", "𩵋": "魚"}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(get_settings(), "gaiji_mode", "substitute")
    monkeypatch.setattr(get_settings(), "gaiji_substitutes_file", str(table))


@pytest.mark.req("N26", partial=True)
@pytest.mark.usefixtures("substituting")
class TestCp932ExportFromTheMaster:
    async def test_the_masters_substitute_in_force_is_written_over_the_settings_table(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = f"外字{uuid.uuid4().hex[:6]}"
        await make_patient(name="𠀀田 太郎", district=district)
        await make_patient(name="𩵋野 花子", district=district)
        await make_patient(name="𠀁川 次郎", district=district)
        tomorrow = today() + timedelta(days=1)
        await publish(gaiji_event("𠀀", "吉", date(2001, 4, 1), None, 1), gaiji_event("𠀁", "丈", tomorrow, None, 1))
        await wait_for(lambda: kept(client, "𠀀", 1), timeout=WAIT)
        await wait_for(lambda: kept(client, "𠀁", 1), timeout=WAIT)

        sjis = await export(client, district=district, encoding="cp932", substitute="true")

        # the master's 吉 over the table's 土口; the table's 魚 where the master has none; 𠀁's from tomorrow on
        assert set(names_in(sjis.content.decode("cp932"))) == {"吉田 太郎", "魚野 花子", "〓川 次郎"}

    async def test_an_ended_record_no_longer_substitutes_and_the_table_fills_in(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = f"外字{uuid.uuid4().hex[:6]}"
        await make_patient(name="𠀂山 一郎", district=district)
        yesterday = today() - timedelta(days=1)
        await publish(gaiji_event("𠀂", "上", date(2001, 4, 1), None, 1))
        await wait_for(lambda: kept(client, "𠀂", 1), timeout=WAIT)
        first = await export(client, district=district, encoding="cp932", substitute="true")
        await publish(gaiji_event("𠀂", "上", date(2001, 4, 1), yesterday, 2))
        await wait_for(lambda: kept(client, "𠀂", 2), timeout=WAIT)

        ended = await export(client, district=district, encoding="cp932", substitute="true")

        assert names_in(first.content.decode("cp932")) == ["上山 一郎"]
        assert names_in(ended.content.decode("cp932")) == ["下山 一郎"]
