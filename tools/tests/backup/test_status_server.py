"""`tbms backup serve`: the backups' state over HTTP for Prometheus and the 運用状況 page (N06)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tbms_tools.backup import backup, commands, status_server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The state server over an empty backup target, on a free loopback port."""
    target = tmp_path / "backups"
    target.mkdir()
    httpd = status_server.server(lambda: commands.status(target), commands.metrics, ("127.0.0.1", 0))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", target
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.req("N06", partial=True)
def test_a_failed_run_is_served_as_json_and_as_metrics_read_at_each_request(served: tuple[str, Path]) -> None:
    url, target = served
    empty = httpx.get(f"{url}/status").json()
    assert (empty["ok"], empty["message"]) == (False, "確認済みのバックアップがありません")
    backup.write_last_result(target, {"ok": False, "stage": "databases", "message": "patients: connection refused"})
    state = httpx.get(f"{url}/status").json()
    assert state["message"] == "前回のバックアップ処理が失敗しました（databases）: patients: connection refused"
    metrics = httpx.get(f"{url}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "tbms_backup_ok 0\n" in metrics.text and "tbms_backup_last_good_age_seconds NaN" in metrics.text


def test_nothing_else_is_served(served: tuple[str, Path]) -> None:
    url, _ = served
    assert httpx.get(f"{url}/").status_code == 404
    assert httpx.post(f"{url}/status").status_code == 501


@pytest.mark.req("N06", partial=True)
def test_postgresqls_base_backups_count_in_the_state_when_they_are_recorded(tmp_path: Path) -> None:
    """The `pgbackrest` service's outcome file: a failure or a stale success makes the whole state not ok."""
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    result = tmp_path / "last-result"
    result.write_text(f"ok {(now - timedelta(hours=3)).astimezone().isoformat()} backup --type=diff\n")
    fresh = commands.base_backups(result, now)
    assert (fresh["ok"], fresh["step"], fresh["age_hours"]) == (True, "backup --type=diff", 3.0)
    result.write_text(f"ok {(now - timedelta(hours=30)).isoformat()} backup --type=full\n")
    assert commands.base_backups(result, now)["ok"] is False
    result.write_text(f"failed {now.isoformat()} stanza-create\n")
    state = commands.status(tmp_path / "backups", now=now, base_result=result)
    assert state["ok"] is False and state["base_backups"]["ok"] is False
    assert state["message"].endswith("ベースバックアップ（pgBackRest）が失敗しました（stanza-create）")
    assert "tbms_backup_base_ok 0" in commands.metrics(state)
    missing = commands.status(tmp_path / "backups", now=now, base_result=tmp_path / "none")
    assert missing["base_backups"]["message"] == "ベースバックアップの結果がありません"
    assert "base_backups" not in commands.status(tmp_path / "backups", now=now)  # not recorded here: not shown
