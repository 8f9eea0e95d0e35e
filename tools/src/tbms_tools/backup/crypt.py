"""Backup encryption: AES-256-GCM in authenticated chunks, with a key file kept outside every backup (N16).

A part file is `MAGIC | key id (16 bytes) | nonce prefix (8 bytes)`, then chunks of `length (4 bytes) |
ciphertext`. Chunk i is sealed with nonce `prefix | i` and, as associated data, the header, i and whether it is
the last chunk: a reordered, dropped, truncated or altered chunk fails to open, and so does a part sealed with
another key (its key id names the key that sealed it).
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TBMSENC1"
KEY_BYTES = 32
KEY_ID_BYTES = 16
PREFIX_BYTES = 8
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + PREFIX_BYTES
CHUNK = 1024 * 1024
_LENGTH = struct.Struct(">I")


class KeyError_(Exception):
    """The key file is missing, malformed or in a forbidden place."""


class DecryptError(Exception):
    """A part cannot be opened: another key, or altered, truncated or not a tbms part at all."""


def key_id(key: bytes) -> bytes:
    """A public name of a key: the first 16 bytes of SHA-256 over it (reveals nothing of the key)."""
    return hashlib.sha256(b"tbms-backup-key-id" + key).digest()[:KEY_ID_BYTES]


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def load_or_create_key(key_file: Path, *, forbidden: Path | None = None, create: bool = True) -> bytes:
    """Reads the 32-byte key; on first use creates it with mode 0600. Refuses a key file inside `forbidden`.

    The key never lives inside the backup target: whoever holds a backup copy must not hold its key as well.
    """
    if forbidden is not None and _inside(key_file, forbidden):
        raise KeyError_(
            f"鍵ファイル {key_file} がバックアップ先 {forbidden} の中にあります。バックアップの外に置いてください。"
        )
    if not key_file.exists():
        if not create:
            raise KeyError_(f"鍵ファイル {key_file} がありません（暗号化消去済みか、別の場所にあります）。")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES).hex().encode() + b"\n")
    text = key_file.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise KeyError_(f"鍵ファイル {key_file} の形式が正しくありません。") from exc
    if len(key) != KEY_BYTES:
        raise KeyError_(f"鍵ファイル {key_file} の鍵の長さが正しくありません（32バイトが必要）。")
    if key_file.stat().st_mode & 0o077:
        key_file.chmod(0o600)
    return key


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">IB", index, 1 if final else 0)


class EncryptingWriter(io.RawIOBase):
    """A writable stream that seals what it is given into `out`; counts and hashes the plaintext and the output."""

    def __init__(self, out: BinaryIO, key: bytes) -> None:
        super().__init__()
        self.out = out
        self.aead = AESGCM(key)
        self.prefix = secrets.token_bytes(PREFIX_BYTES)
        self.header = MAGIC + key_id(key) + self.prefix
        self.buffer = bytearray()
        self.index = 0
        self.plain_sha = hashlib.sha256()
        self.plain_size = 0
        self.sealed_sha = hashlib.sha256()
        self.sealed_size = 0
        self._emit(self.header)

    def writable(self) -> bool:
        """This stream takes bytes."""
        return True

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.sealed_sha.update(data)
        self.sealed_size += len(data)

    def _seal(self, chunk: bytes, final: bool) -> None:
        nonce = self.prefix + struct.pack(">I", self.index)
        sealed = self.aead.encrypt(nonce, chunk, _aad(self.header, self.index, final))
        self._emit(_LENGTH.pack(len(sealed)) + sealed)
        self.index += 1

    def write(self, data: bytes) -> int:  # type: ignore[override]
        """Takes plaintext; seals every full chunk."""
        view = bytes(data)
        self.plain_sha.update(view)
        self.plain_size += len(view)
        self.buffer += view
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]
        return len(view)

    def close(self) -> None:
        """Seals the last chunk (marked final); the output stays open for the caller."""
        if not self.closed:
            self._seal(bytes(self.buffer), final=True)
            self.buffer.clear()
        super().close()


def decrypt_chunks(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plaintext of a sealed stream, chunk by chunk; DecryptError as soon as something does not open."""
    header = source.read(HEADER_BYTES)
    if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
        raise DecryptError("暗号化されたバックアップ部品ではありません。")
    if header[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES] != key_id(key):
        raise DecryptError("この部品は別の鍵で暗号化されています（鍵が違うか、鍵が破棄されています）。")
    prefix = header[len(MAGIC) + KEY_ID_BYTES :]
    aead = AESGCM(key)
    index = 0
    while True:
        length_bytes = source.read(_LENGTH.size)
        if len(length_bytes) != _LENGTH.size:
            raise DecryptError("部品が途中で切れています。")
        (length,) = _LENGTH.unpack(length_bytes)
        sealed = source.read(length)
        if len(sealed) != length:
            raise DecryptError("部品が途中で切れています。")
        nonce = prefix + struct.pack(">I", index)
        for final in (False, True):
            try:
                plain = aead.decrypt(nonce, sealed, _aad(header, index, final))
            except InvalidTag:
                continue
            break
        else:
            raise DecryptError(f"部品の {index + 1} 番目のブロックが改ざんまたは破損しています。")
        yield plain
        index += 1
        if final:
            if source.read(1):
                raise DecryptError("部品の末尾に余分なデータがあります。")
            return


def decrypt_bytes(sealed: Path, key: bytes) -> bytes:
    """The whole plaintext of a (small) sealed file."""
    with sealed.open("rb") as source:
        return b"".join(decrypt_chunks(source, key))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while data := handle.read(CHUNK):
            digest.update(data)
    return digest.hexdigest()
