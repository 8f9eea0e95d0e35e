"""The files of a request's encrypted package (N32); the AES-256 ZIP and its key are tbms_core.package's."""

from __future__ import annotations

import csv
import io

from tbms_core.package import KEY_ALPHABET, KEY_LENGTH, encrypted_zip, new_key, read_zip, sha256

__all__ = ["KEY_ALPHABET", "KEY_LENGTH", "csv_bytes", "encrypted_zip", "new_key", "read_zip", "sha256"]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 CSV with a BOM, as Excel opens it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()
