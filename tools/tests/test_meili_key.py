"""`tbms search meili-key` against a recorded Meilisearch (it cannot run here): one `POST /keys` with the master
key, asking for search's actions on search's indexes only; the key it answers is printed for the operator."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from tbms_tools import cli, meili_key


class RecordedMeilisearch(BaseHTTPRequestHandler):
    """Answers `POST /keys` as Meilisearch v1 does (201 with the new key), recording what it was sent."""

    seen: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        RecordedMeilisearch.seen.append({"path": self.path, "auth": self.headers["Authorization"], "body": body})
        answer = json.dumps({**body, "key": "d0552b41536279a0ad88bd595327b96f01176a60", "uid": "6062abda"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_: object) -> None:
        """Quiet."""


@pytest.fixture
def meilisearch() -> Iterator[str]:
    RecordedMeilisearch.seen.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedMeilisearch)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.mark.req("N09", partial=True)
def test_the_key_may_do_what_search_does_on_its_indexes_only(
    meilisearch: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEILI_MASTER_KEY", "synthetic-master-key-0123456789")
    assert cli.main(["search", "meili-key", "--url", meilisearch]) in (0, None)
    assert capsys.readouterr().out.strip() == "d0552b41536279a0ad88bd595327b96f01176a60"
    [sent] = RecordedMeilisearch.seen
    assert sent["path"] == "/keys" and sent["auth"] == "Bearer synthetic-master-key-0123456789"
    body = sent["body"]
    assert isinstance(body, dict) and body["indexes"] == ["records*"]
    actions = set(body["actions"])
    assert {"search", "documents.add", "indexes.swap", "tasks.get"} <= actions
    assert not actions & {"*", "keys.create", "keys.get", "dumps.create", "snapshots.create", "indexes.*"}


def test_without_the_master_key_in_the_environment_nothing_is_sent(
    meilisearch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEILI_MASTER_KEY", raising=False)
    with pytest.raises(SystemExit, match="MEILI_MASTER_KEY"):
        meili_key.run(meilisearch, "records")
    assert RecordedMeilisearch.seen == []
