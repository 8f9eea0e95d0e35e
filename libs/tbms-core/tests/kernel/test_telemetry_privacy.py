"""Search words and person ids in a URL's query never reach log lines or trace spans."""

from __future__ import annotations

import json
import logging

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from tbms_core.telemetry import JsonFormatter, without_queries
from tbms_core.web import observe


def test_a_log_line_keeps_the_path_and_drops_the_query() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/1.1" %d',
        ("10.0.0.8", "GET", "/search?q=%E8%A9%A6%E9%A8%93+%E8%8A%B1%E5%AD%90&birth=S45", 200),
        None,
    )
    line = json.loads(JsonFormatter("test").format(record))["message"]
    assert line == '10.0.0.8 - "GET /search HTTP/1.1" 200'
    assert (
        without_queries("GET http://127.0.0.1:8004/search?q=%E8%A9%A6 done") == "GET http://127.0.0.1:8004/search done"
    )
    assert without_queries("よろしいですか?はい") == "よろしいですか?はい"


async def test_a_request_span_names_the_path_but_not_the_search_words() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = FastAPI()

    @app.get("/search")
    async def find(q: str = "") -> dict[str, int]:
        return {"length": len(q)}

    observe(app, "privacytest", provider)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://privacytest") as client:
        assert (await client.get("/search", params={"q": "試験花子", "person_id": "p-123"})).status_code == 200
    spans = exporter.get_finished_spans()
    assert spans
    recorded = json.dumps([dict(span.attributes or {}) for span in spans], ensure_ascii=False)
    assert "/search" in recorded
    assert "試験" not in recorded and "%E8%A9%A6" not in recorded and "p-123" not in recorded
