"""AES-256-GCM for stored documents and their per-person data keys (pure functions, no I/O): the reports service
seals with it, the backup tools open a hand-back export with it.

A sealed file is `MAGIC | key id (16 bytes) | nonce (12 bytes) | ciphertext and tag`; the header is the associated
data, so a file cannot be passed off under another key id. A data key is wrapped with the deployment's
key-encryption key, with the person's id as associated data (a wrapped key moved to another person does not open).
"""

from __future__ import annotations

import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TBMSDOC1"
KEY_BYTES = 32
KEY_ID_BYTES = 16
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES


class SealError(Exception):
    """A sealed file or wrapped key does not open: another key, altered, or not sealed at all."""


def new_key() -> bytes:
    """A fresh random 256-bit data key."""
    return secrets.token_bytes(KEY_BYTES)


def new_key_id() -> bytes:
    """A random public name for a data key (it reveals nothing of the key)."""
    return secrets.token_bytes(KEY_ID_BYTES)


def kek_from_hex(text: str) -> bytes:
    """The key-encryption key from its 64 hexadecimal digits."""
    try:
        kek = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise SealError("文書の鍵暗号化鍵（TBMS_REPORTS_DOCUMENT_KEK）は16進数64桁で指定してください。") from exc
    if len(kek) != KEY_BYTES:
        raise SealError("文書の鍵暗号化鍵（TBMS_REPORTS_DOCUMENT_KEK）は32バイト（16進数64桁）が必要です。")
    return kek


def wrap(kek: bytes, person_id: uuid.UUID, key: bytes) -> bytes:
    """A data key sealed with the key-encryption key for one person: nonce | ciphertext and tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, key, person_id.bytes)


def unwrap(kek: bytes, person_id: uuid.UUID, wrapped: bytes) -> bytes:
    """The data key back from its wrapped form."""
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], person_id.bytes)
    except InvalidTag as exc:
        raise SealError("文書の鍵を開けません（鍵暗号化鍵が違うか、鍵が改ざんされています）。") from exc


def seal(key_id: bytes, key: bytes, data: bytes) -> bytes:
    """A file's bytes sealed with a data key."""
    header = MAGIC + key_id + secrets.token_bytes(NONCE_BYTES)
    return header + AESGCM(key).encrypt(header[-NONCE_BYTES:], data, header)


def is_sealed(data: bytes) -> bool:
    """True when the bytes begin as a sealed file does."""
    return len(data) > HEADER_BYTES and data.startswith(MAGIC)


def key_id_of(sealed: bytes) -> bytes:
    """The id of the data key a sealed file needs."""
    if not is_sealed(sealed):
        raise SealError("暗号化された文書ではありません。")
    return sealed[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]


def open_sealed(key: bytes, sealed: bytes) -> bytes:
    """A sealed file's plaintext; SealError when the key is not its key or the bytes were altered."""
    if not is_sealed(sealed):
        raise SealError("暗号化された文書ではありません。")
    header = sealed[:HEADER_BYTES]
    try:
        return AESGCM(key).decrypt(header[-NONCE_BYTES:], sealed[HEADER_BYTES:], header)
    except InvalidTag as exc:
        raise SealError("文書を復号できません（鍵が違うか、内容が改ざんされています）。") from exc
