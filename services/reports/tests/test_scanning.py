"""The ClamAV adapters: clamscan with the test signatures, and clamd's INSTREAM protocol against a stand-in daemon."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from reports.scanning import ClamdScanner, ClamscanScanner, ScannerUnavailable

from .conftest import write_test_signatures


@pytest.fixture
def signatures(tmp_path: Path) -> str:
    """A folder with the EICAR test signature."""
    return str(write_test_signatures(tmp_path / "clamav"))


@pytest.mark.req("N15")
class TestClamscan:
    """clamscan scans the bytes on standard input with the configured database."""

    async def test_eicar_is_found_and_a_clean_file_passes(self, signatures: str, eicar: bytes) -> None:
        scanner = ClamscanScanner("clamscan", signatures, timeout=30)
        found = await scanner.scan(b"prefix " + eicar)
        clean = await scanner.scan(b"%PDF-1.4 nothing to see")
        assert (found.clean, found.signature) == (False, "Tbms.Test.EICAR.UNOFFICIAL")
        assert clean.clean

    async def test_no_database_gives_no_verdict(self, tmp_path: Path) -> None:
        (tmp_path / "empty").mkdir()
        with pytest.raises(ScannerUnavailable):
            await ClamscanScanner("clamscan", str(tmp_path / "empty"), timeout=30).scan(b"hello")


class StandInClamd:
    """A TCP server speaking clamd's INSTREAM: reads the chunks, answers FOUND when the marker is in them."""

    def __init__(self, marker: bytes) -> None:
        self.marker, self.received = marker, b""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert await reader.readexactly(10) == b"zINSTREAM\0"
        while size := struct.unpack("!L", await reader.readexactly(4))[0]:
            self.received += await reader.readexactly(size)
        writer.write(b"stream: Eicar-Signature FOUND\0" if self.marker in self.received else b"stream: OK\0")
        await writer.drain()
        writer.close()


@pytest.fixture
async def clamd(eicar: bytes) -> AsyncIterator[tuple[StandInClamd, int]]:
    """A stand-in clamd on a free loopback port."""
    daemon = StandInClamd(eicar)
    server = await asyncio.start_server(daemon.handle, "127.0.0.1", 0)
    async with server:
        yield daemon, server.sockets[0].getsockname()[1]


@pytest.mark.req("N15")
class TestClamd:
    """clamd gets the file in INSTREAM chunks and its answer becomes the verdict."""

    async def test_a_large_file_is_streamed_in_chunks_and_a_match_reported(
        self, clamd: tuple[StandInClamd, int], eicar: bytes
    ) -> None:
        daemon, port = clamd
        data = b"x" * 200_000 + eicar
        verdict = await ClamdScanner("127.0.0.1", port, timeout=5).scan(data)
        assert (verdict.signature, daemon.received) == ("Eicar-Signature", data)

    async def test_a_clean_file_passes(self, clamd: tuple[StandInClamd, int]) -> None:
        assert (await ClamdScanner("127.0.0.1", clamd[1], timeout=5).scan(b"hello")).clean

    async def test_no_daemon_gives_no_verdict(self) -> None:
        with pytest.raises(ScannerUnavailable):
            await ClamdScanner("127.0.0.1", 9, timeout=2).scan(b"hello")
