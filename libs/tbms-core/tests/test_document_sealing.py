"""Sealing a file and wrapping its data key (pure functions): only the right key opens, nothing altered passes."""

from __future__ import annotations

import uuid

import pytest
from tbms_core import document_sealing as sealing

pytestmark = pytest.mark.req("N17", partial=True)
PDF = b"%PDF-1.4\n% synthetic form of a synthetic patient\n%%EOF\n"


def test_a_sealed_file_opens_only_with_its_own_key() -> None:
    key_id, key = sealing.new_key_id(), sealing.new_key()
    sealed = sealing.seal(key_id, key, PDF)
    assert sealed.startswith(sealing.MAGIC) and b"synthetic" not in sealed
    assert sealing.key_id_of(sealed) == key_id
    assert sealing.open_sealed(key, sealed) == PDF
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(sealing.new_key(), sealed)


def test_an_altered_byte_or_another_key_id_in_the_header_is_refused() -> None:
    key_id, key = sealing.new_key_id(), sealing.new_key()
    sealed = bytearray(sealing.seal(key_id, key, PDF))
    altered = bytes(sealed[:-1]) + bytes([sealed[-1] ^ 1])
    relabelled = sealing.MAGIC + sealing.new_key_id() + bytes(sealed[len(sealing.MAGIC) + sealing.KEY_ID_BYTES :])
    for bad in (altered, relabelled, PDF):
        with pytest.raises(sealing.SealError):
            sealing.open_sealed(key, bad)


def test_a_wrapped_key_opens_only_for_its_person_and_with_the_deployment_key() -> None:
    kek, person, key = sealing.new_key(), uuid.uuid4(), sealing.new_key()
    wrapped = sealing.wrap(kek, person, key)
    assert key not in wrapped
    assert sealing.unwrap(kek, person, wrapped) == key
    with pytest.raises(sealing.SealError):
        sealing.unwrap(kek, uuid.uuid4(), wrapped)
    with pytest.raises(sealing.SealError):
        sealing.unwrap(sealing.new_key(), person, wrapped)


def test_the_deployment_key_must_be_64_hexadecimal_digits() -> None:
    assert len(sealing.kek_from_hex("ab" * 32)) == 32
    for bad in ("ab" * 16, "zz" * 32, ""):
        with pytest.raises(sealing.SealError):
            sealing.kek_from_hex(bad)
