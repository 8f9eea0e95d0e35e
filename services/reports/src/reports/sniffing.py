"""What an uploaded file is, judged from its bytes (libmagic), never from its name."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import magic


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: its media type, a Japanese label, the extension it is saved with."""

    media_type: str
    label: str
    extension: str
    previewable: bool = False


_TYPES = (
    FileType("application/pdf", "PDF", "pdf", previewable=True),
    FileType("image/jpeg", "JPEG画像", "jpg", previewable=True),
    FileType("image/png", "PNG画像", "png", previewable=True),
    FileType("image/tiff", "TIFF画像", "tif"),
    FileType("application/msword", "Word文書", "doc"),
    FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word文書", "docx"),
    FileType("application/vnd.ms-excel", "Excelブック", "xls"),
    FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excelブック", "xlsx"),
    FileType("text/csv", "CSV", "csv"),
    FileType("text/plain", "テキスト", "txt"),
    FileType("message/rfc822", "メール", "eml"),
    FileType("application/vnd.ms-outlook", "メール（Outlook）", "msg"),
)
ACCEPTED = {file_type.media_type: file_type for file_type in _TYPES}
# libmagic names some of the same formats differently (versions differ); an OLE2 file is told apart by its streams
_ALIASES = {"application/csv": "text/csv", "text/x-mail": "message/rfc822"}
_OOXML = {"word/": "docx", "xl/": "xlsx"}
_OLE2 = {"application/cdfv2", "application/x-ole-storage"}
_OLE2_STREAMS = {
    b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t": "application/msword",
    b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k": "application/vnd.ms-excel",
    b"_\x00_\x00s\x00u\x00b\x00s\x00t\x00g": "application/vnd.ms-outlook",  # __substg1.0_ of a .msg
}
ACCEPTED_LABELS = "PDF、画像（JPEG・PNG・TIFF）、Word、Excel、CSV、テキスト、メール（.eml・.msg）"


def judge(data: bytes) -> FileType | None:
    """The accepted type the bytes are, or None (an executable, an archive, anything else is refused)."""
    media_type = magic.from_buffer(data[: 1024 * 1024], mime=True).lower()
    media_type = _ALIASES.get(media_type, media_type)
    if media_type == "application/zip":
        media_type = _office_open_xml(data) or media_type
    elif media_type in _OLE2:
        media_type = next((kind for marker, kind in _OLE2_STREAMS.items() if marker in data), media_type)
    return ACCEPTED.get(media_type)


def _office_open_xml(data: bytes) -> str | None:
    """A .docx or .xlsx that libmagic saw only as a ZIP archive (when [Content_Types].xml is not first)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, extension in _OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return next(t.media_type for t in _TYPES if t.extension == extension)
    return None
