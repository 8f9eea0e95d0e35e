"""OpenTelemetry for every service: traces across HTTP and NATS, JSON logs carrying trace ids (N20)."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from sqlalchemy.ext.asyncio import AsyncEngine


class JsonLinesSpanExporter(SpanExporter):
    """Writes finished spans as JSON lines to a file, so tests and operators can follow one trace locally."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self._lock = path, threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Appends the spans, one JSON object per line."""
        lines = [json.dumps(_span_dict(s), ensure_ascii=False) for s in spans]
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
        return SpanExportResult.SUCCESS


def _span_dict(span: ReadableSpan) -> dict[str, object]:
    ctx = span.get_span_context()
    return {
        "service": span.resource.attributes.get("service.name"),
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": format(ctx.trace_id, "032x"),
        "span_id": format(ctx.span_id, "016x"),
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
        "start": span.start_time,
        "end": span.end_time,
        "attributes": {k: v for k, v in (span.attributes or {}).items() if isinstance(v, str | int | float | bool)},
        "status": span.status.status_code.name,
    }


_provider: TracerProvider | None = None


def setup_tracing(service: str, span_file_dir: Path | None) -> TracerProvider:
    """The process's tracer provider: OTLP when an endpoint is configured, a JSON-lines file when asked."""
    global _provider
    if _provider is not None:
        return _provider
    provider = TracerProvider(resource=Resource.create({"service.name": f"tbms-{service}"}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if span_file_dir is not None:
        exporter = JsonLinesSpanExporter(Path(span_file_dir) / f"spans-{service}.jsonl")
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _provider = provider
    return provider


def instrument_sql(engine: AsyncEngine, provider: TracerProvider) -> None:
    """Traces every SQL statement of a service's engine."""
    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=provider)


URL_QUERY = re.compile(r"((?:https?://|/)[^\s?\"']*)\?[^\s\"']*")


def without_queries(text: str) -> str:
    """The text with the query string of every URL or path removed (search words and ids are personal data)."""
    return URL_QUERY.sub(r"\1", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the current trace and span ids."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        """Formats a record as JSON."""
        ctx = trace.get_current_span().get_span_context()
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": without_queries(record.getMessage()),
        }
        if ctx.is_valid:
            entry["trace_id"] = format(ctx.trace_id, "032x")
            entry["span_id"] = format(ctx.span_id, "016x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


BROKER_LOGGER = "tbms.broker"  # FastStream's own lines (a subscriber's task failing and restarted, at ERROR)


def broker_logger() -> logging.Logger:
    """The logger given to FastStream's broker: its lines go out as JSON like every other line, instead of through
    its own coloured handler, and only from WARNING (per-message and per-task INFO lines are noise; the consumers'
    metrics count every message)."""
    logger = logging.getLogger(BROKER_LOGGER)
    logger.setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))
    return logger


def setup_logging(service: str) -> None:
    """Sends every log line to stdout as JSON."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("TBMS_LOG_LEVEL", "INFO"))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
