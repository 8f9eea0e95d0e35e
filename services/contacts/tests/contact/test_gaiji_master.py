"""The screening list in CP932 writes the substitute of masters' 外字 master (N26): contacts keeps the 外字 records
masters sends (MasterChanged, kind gaiji) and the export writes the substitute in force on its day; the settings'
JSON table counts only for a character the master has nothing in force for."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from contacts.settings import get_settings
from sqlalchemy import text
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.events import publish

from .test_screening_list import district, nurse, register, workplace

WAIT = 30  # seconds an event may take through JetStream on a busy machine
# 𠀀, 𠀁 and 𩵋: CJK extension B characters CP932 cannot carry (no other test of contacts registers them)


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
    """The 外字 record has reached the version in contacts' read model."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        found = await session.scalar(
            text("SELECT version FROM contact_gaiji_records WHERE code = :code"), {"code": f"U+{ord(character):04X}"}
        )
    return found is not None and found >= version


@pytest.fixture
def substituting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The health center substitutes; its settings' table has an older substitute of 𠀀 and one of 𩵋."""
    table = tmp_path / f"substitutes-{uuid.uuid4().hex}.json"
    table.write_text(json.dumps({"𠀀": "土口", "𩵋": "魚"}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(get_settings(), "gaiji_mode", "substitute")
    monkeypatch.setattr(get_settings(), "gaiji_substitutes_file", str(table))


@pytest.mark.req("N26", partial=True)
@pytest.mark.usefixtures("substituting")
async def test_the_screening_list_writes_the_masters_substitute_in_force_over_the_settings_table(
    client: httpx.AsyncClient, make_index_case
) -> None:
    where = district()
    index_id = await make_index_case("試験 発端", district=where)
    for name in ("𠀀田 花子", "𩵋野 一郎", "𠀁川 次郎"):
        await register(client, index_id, name=name, exposures=[workplace(index_id, 10)])
    tomorrow = today() + timedelta(days=1)
    await publish(gaiji_event("𠀀", "吉", date(2001, 4, 1), None, 1), gaiji_event("𠀁", "丈", tomorrow, None, 1))
    await wait_for(lambda: kept(client, "𠀀", 1), timeout=WAIT)
    await wait_for(lambda: kept(client, "𠀁", 1), timeout=WAIT)

    params = {"district": where, "encoding": "cp932", "substitute": "true"}
    sjis = await client.get("/contacts/export", params=params, headers=nurse())

    assert sjis.status_code == 200, sjis.text
    rows = list(csv.reader(io.StringIO(sjis.content.decode("cp932"))))
    # the master's 吉 over the table's 土口; the table's 魚 where the master has none; 𠀁's from tomorrow on
    assert {row[0] for row in rows[1:]} == {"吉田 花子", "魚野 一郎", "〓川 次郎"}
