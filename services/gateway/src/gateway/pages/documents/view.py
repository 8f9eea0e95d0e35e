"""How a generated document is named when the browser opens or saves it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote


def document_filename(meta: dict[str, Any], registration_no: str | None) -> str:
    """The file name staff expect: <form>_<登録番号>.pdf (F03_2026-00001.pdf), or <form>.pdf without one."""
    form = str(meta.get("form") or meta.get("kind") or "document")
    return f"{form}_{registration_no}.pdf" if registration_no else f"{form}.pdf"


def content_disposition(filename: str) -> str:
    """inline with an ASCII fallback and the real name RFC 5987-encoded (F03_2026-00001.pdf)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
