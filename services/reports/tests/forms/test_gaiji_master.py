"""Forms print the substitute of masters' 外字 master (N26): reports keeps the 外字 records masters sends
(MasterChanged, kind gaiji) with the other master snapshots, and a form prints the substitute in force on the day
it is printed; the settings' JSON table counts only where the master has nothing in force."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
from reports.forms.registry import form_spec
from reports.master_snapshot import gaiji
from reports.settings import get_settings
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_core.gaiji_master import GaijiMaster
from tbms_testing import wait_for
from tbms_testing.events import publish

from .test_gaiji_print import patient

WAIT = 30  # seconds an event may take through JetStream on a busy machine
# 𠮷, 𩵋, 𠀀 and 𠀁: CJK extension B characters outside JIS X 0213, which the forms' fonts do not carry


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


@pytest.fixture
def substituting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The health center substitutes; its settings' table has an older substitute of 𠮷 and one of 𩵋."""
    table = tmp_path / "substitutes.json"
    table.write_text(json.dumps({"𠮷": "土口", "𩵋": "魚"}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(get_settings(), "gaiji_mode", "substitute")
    monkeypatch.setattr(get_settings(), "gaiji_substitutes_file", str(table))


def printed_name(client: httpx.AsyncClient, name: str) -> str:
    """The F03's HTML as the service's own renderer prints it for a patient of that name."""
    html: str = client.app.state.renderer.render_html(form_spec("F03"), patient(name))  # type: ignore[attr-defined]
    return html


@pytest.mark.req("N26", partial=True)
@pytest.mark.usefixtures("substituting")
class TestFormsPrintTheMaster:
    async def test_the_masters_substitute_in_force_is_printed_over_the_settings_table(
        self, client: httpx.AsyncClient
    ) -> None:
        day = today()
        await publish(gaiji_event("𠮷", "吉", date(2001, 4, 1), None, 1))

        await wait_for(lambda: _contains(client, "𠮷田 花子", "吉田 花子"), timeout=WAIT)

        assert "魚井 一郎" in printed_name(client, "𩵋井 一郎")  # the master has none: the settings' table
        ended = gaiji_event("𠮷", "吉", date(2001, 4, 1), date.fromordinal(day.toordinal() - 1), 2)
        await publish(ended)
        await wait_for(lambda: _contains(client, "𠮷田 花子", "土口田 花子"), timeout=WAIT)

    async def test_a_record_from_a_later_day_is_not_printed_yet(self, client: httpx.AsyncClient) -> None:
        tomorrow = date.fromordinal(today().toordinal() + 1)
        await publish(gaiji_event("𠀀", "丈", tomorrow, None, 1))

        async def kept() -> bool:
            return any(e.character == "𠀀" for e in client.app.state.gaiji.entries())  # type: ignore[attr-defined]

        await wait_for(kept, timeout=WAIT)
        assert "〓太郎" in printed_name(client, "𠀀太郎")

    async def test_another_process_reads_the_records_from_the_snapshots(self, client: httpx.AsyncClient) -> None:
        await publish(gaiji_event("𠀁", "土", date(2001, 4, 1), None, 1))
        await wait_for(lambda: _contains(client, "𠀁屋 花子", "土屋 花子"), timeout=WAIT)

        other = GaijiMaster()
        await gaiji.refresh(client.app.state.db, other)  # type: ignore[attr-defined]

        assert other.substitutes(today())["𠀁"] == "土"


async def _contains(client: httpx.AsyncClient, name: str, expected: str) -> bool:
    return expected in printed_name(client, name)
