"""How the gateway is put together: one trace from the browser's request to the back end's."""

from __future__ import annotations

import httpx
import respx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .conftest import PATIENT_ID, mock_patient_page


class TestTracing:
    async def test_one_trace_links_the_gateway_request_to_the_patients_request(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        exporter = InMemorySpanExporter()
        provider = trace.get_tracer_provider()
        assert isinstance(provider, TracerProvider)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        mock_patient_page(backends)
        await browser.get(f"/patients/{PATIENT_ID}")
        trace_id = backends.routes["patient-record"].calls.last.request.headers["traceparent"].split("-")[1]
        server = [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
        assert any(format(s.context.trace_id, "032x") == trace_id for s in server)
        exporter.clear()
