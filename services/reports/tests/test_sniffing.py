"""File types judged from the bytes: what is accepted, what is refused whatever its name."""

from __future__ import annotations

import io
import zipfile

import pytest
from reports.sniffing import judge


def office_open_xml(folder: str) -> bytes:
    """A minimal .docx / .xlsx container (only its structure matters here)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return out.getvalue()


@pytest.mark.req("N15")
@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "image/jpeg"),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (b"name,date\n\xe8\xa9\xa6\xe9\xa8\x93,2026-04-01\nb,2026-04-02\n", "text/csv"),
        ("紹介状の控え\n".encode(), "text/plain"),
        (b"From: a@example.jp\nTo: b@example.jp\nSubject: test\n\nbody\n", "message/rfc822"),
        (office_open_xml("word"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (office_open_xml("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_types_are_recognised_from_their_bytes(data: bytes, media_type: str) -> None:
    file_type = judge(data)
    assert file_type is not None and file_type.media_type == media_type


@pytest.mark.req("N15")
@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 112,  # Windows executable
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56,  # Linux executable
        b"#!/bin/sh\nrm -rf /\n",  # shell script
        b"PK\x05\x06" + b"\x00" * 18,  # an empty ZIP archive
        b"<html><script>alert(1)</script></html>",
    ],
    ids=["exe", "elf", "script", "zip", "html"],
)
def test_executables_archives_and_scripts_are_refused(data: bytes) -> None:
    assert judge(data) is None
