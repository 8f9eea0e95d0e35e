"""The ClamAV adapters: clamscan with the test signatures, and clamd's INSTREAM protocol against a stand-in daemon."""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from reports.scanning import (
    ClamdScanner,
    ClamscanScanner,
    ScannerUnavailable,
    SignaturesTooOld,
    SignatureWatch,
    parse_version,
)

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
        command = await reader.readexactly(9)
        if command == b"zVERSION\0":
            writer.write(b"ClamAV 1.4.1/27471/Tue Dec  1 09:35:21 2026\0")
            await writer.drain()
            writer.close()
            return
        assert command + await reader.readexactly(1) == b"zINSTREAM\0"
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

    async def test_version_gives_the_signatures_date(self, clamd: tuple[StandInClamd, int]) -> None:
        found = await ClamdScanner("127.0.0.1", clamd[1], timeout=5).signatures()
        assert (found.engine, found.database, found.published) == (
            "1.4.1",
            "27471",
            datetime(2026, 12, 1, 9, 35, 21, tzinfo=UTC),
        )


@pytest.mark.req("N22", partial=True)
class TestSignatureAge:
    """Signatures are dated; a day old is shown as old, a week old stops uploads, an unknown date too."""

    def test_the_version_line_of_clamd_and_clamscan(self) -> None:
        assert parse_version("ClamAV 1.0.7/27480/Wed Dec  2 08:01:02 2026\n").published == datetime(
            2026, 12, 2, 8, 1, 2, tzinfo=UTC
        )
        assert parse_version("ClamAV 1.4.6").published is None
        with pytest.raises(ScannerUnavailable):
            parse_version("UNKNOWN COMMAND")

    @staticmethod
    def watch(signatures: str, age: timedelta) -> SignatureWatch:
        """The real clamscan with the test signature dated `age` ago."""
        moment = (datetime.now(UTC) - age).timestamp()
        os.utime(Path(signatures) / "tbms-test.ndb", (moment, moment))
        return SignatureWatch(
            ClamscanScanner("clamscan", signatures, timeout=30),
            warn_after=timedelta(hours=24),
            refuse_after=timedelta(days=7),
            recheck=timedelta(minutes=5),
        )

    async def test_fresh_signatures_scan(self, signatures: str, eicar: bytes) -> None:
        watch = self.watch(signatures, timedelta(hours=3))
        status = await watch.status()
        assert (status.state, round(status.age_hours or 0)) == ("ok", 3)
        assert (await watch.scan(eicar)).signature == "Tbms.Test.EICAR.UNOFFICIAL"

    async def test_two_days_old_still_scans_but_is_shown_as_old(self, signatures: str) -> None:
        watch = self.watch(signatures, timedelta(days=2))
        assert (await watch.status()).state == "old"
        assert (await watch.scan(b"hello")).clean

    async def test_eight_days_old_refuses_to_scan(self, signatures: str) -> None:
        watch = self.watch(signatures, timedelta(days=8))
        with pytest.raises(SignaturesTooOld) as refused:
            await watch.scan(b"hello")
        assert refused.value.status.state == "refused"

    async def test_the_age_is_asked_again_only_after_the_recheck_interval(self, signatures: str) -> None:
        watch = self.watch(signatures, timedelta(hours=1))
        first = await watch.status()
        self.watch(signatures, timedelta(days=8))  # signatures replaced by an old copy
        assert await watch.status() is first
        assert (await watch.status(fresh=True)).state == "refused"

    async def test_an_unreachable_scanner_is_reported_not_guessed(self) -> None:
        watch = SignatureWatch(
            ClamdScanner("127.0.0.1", 9, timeout=2),
            warn_after=timedelta(hours=24),
            refuse_after=timedelta(days=7),
            recheck=timedelta(minutes=5),
        )
        status = await watch.status()
        assert (status.state, status.published) == ("unavailable", None) and "clamd 127.0.0.1:9" in status.error
