"""The encrypted file personal data leaves the health centre in (N32): an AES-256 ZIP (WinZip AE-2, opened by
7-Zip, Windows 11 and most archivers), with a random key that is returned once and never stored."""

from __future__ import annotations

import hashlib
import io
import secrets
import string

import pyzipper

# No look-alike characters (0/O, 1/l/I), so the key read out over the phone is typed right.
KEY_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
KEY_LENGTH = 16  # ~91 bits


def new_key() -> str:
    """A random key for one package."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def encrypted_zip(files: dict[str, bytes], key: str) -> bytes:
    """The files in an AES-256 encrypted ZIP."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(key.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def read_zip(content: bytes, key: str) -> dict[str, bytes]:
    """The files of an encrypted ZIP (for checking what was sent)."""
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        archive.setpassword(key.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def sha256(content: bytes) -> str:
    """The digest recorded with the sending, to tell later which file went out."""
    return hashlib.sha256(content).hexdigest()
