"""Event envelopes, streams, Japanese validation messages and JSON logs."""

import json
import logging
import uuid
from datetime import date

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from tbms_contracts.patients import PatientRegistered, PatientSnapshot
from tbms_core.errors import field_errors
from tbms_core.events import Envelope, stream_of
from tbms_core.telemetry import JsonFormatter


class TestEnvelope:
    """Envelope.of and stream_of."""

    def test_an_envelope_carries_type_aggregate_and_payload(self) -> None:
        snapshot = PatientSnapshot(
            id="p1",
            version=2,
            registration_no="2026-00001",
            registered_on=date(2026, 1, 5),
            category="patient",
            name="試験 太郎",
            name_kana="シケン タロウ",
            sex="male",
            birth_date=date(1970, 3, 1),
        )
        envelope = Envelope.of(PatientRegistered(patient=snapshot), aggregate_id="p1", version=2, actor="u1")
        assert envelope.type == "tbms.patients.patient.registered.v1"
        assert envelope.aggregate_version == 2 and isinstance(envelope.event_id, uuid.UUID)
        assert envelope.payload["patient"]["birth_date"] == "1970-03-01"

    @pytest.mark.parametrize(
        ("subject", "stream"),
        [
            ("tbms.patients.patient.registered.v1", "PATIENTS"),
            ("tbms.audit.reports.operation.recorded.v1", "AUDIT"),
            ("tbms.masters.district.changed.v1", "MASTERS"),
        ],
    )
    def test_every_subject_has_its_producers_stream(self, subject: str, stream: str) -> None:
        assert stream_of(subject) == stream

    def test_an_unknown_producer_has_no_stream(self) -> None:
        with pytest.raises(ValueError, match="no stream"):
            stream_of("other.thing")


class Form(BaseModel):
    """A form with a required short name."""

    name: str = Field(max_length=3)
    age: int


class TestFieldErrors:
    """field_errors turns pydantic errors into one Japanese message per field."""

    @pytest.mark.req("N11")
    def test_each_field_gets_a_japanese_message(self) -> None:
        with pytest.raises(ValidationError) as invalid:
            Form.model_validate({"name": "とても長い名前", "age": "x"})
        errors = field_errors(RequestValidationError(invalid.value.errors()))
        assert errors == {"name": "文字数が多すぎます（3文字まで）。", "age": "数字で入力してください。"}


class TestJsonLogs:
    """JsonFormatter."""

    def test_a_log_line_is_json_with_service_and_message(self) -> None:
        record = logging.LogRecord("tbms", logging.INFO, __file__, 1, "登録しました %s", ("2026-00001",), None)
        line = json.loads(JsonFormatter("patients").format(record))
        assert line["service"] == "patients" and line["message"] == "登録しました 2026-00001"
        assert line["level"] == "INFO" and "trace_id" not in line
