"""Virus scanning of uploaded files with ClamAV: clamd over TCP (INSTREAM) in production, clamscan elsewhere.

Every scanner fails closed: when it cannot give a verdict (no daemon, no signature database, a timeout) it
raises ScannerUnavailable and the file is not stored.
"""

from __future__ import annotations

import asyncio
import re
import struct
from dataclasses import dataclass
from typing import Protocol

from reports.settings import Settings

INSTREAM_CHUNK = 64 * 1024
_FOUND = re.compile(r":\s*(?P<signature>\S.*?)\s+FOUND\s*$", re.MULTILINE)
CLAMSCAN_CLEAN, CLAMSCAN_FOUND = 0, 1  # clamscan's exit codes; anything else is an error (no database, …)


class ScannerUnavailable(RuntimeError):
    """The scanner could not give a verdict: the file must not be stored."""


@dataclass(frozen=True)
class ScanVerdict:
    """What the scanner said about one file: clean, or the signature it matched."""

    engine: str
    signature: str | None = None

    @property
    def clean(self) -> bool:
        """True when no signature matched."""
        return self.signature is None


class VirusScanner(Protocol):
    """Scans bytes and answers a verdict, or raises ScannerUnavailable."""

    async def scan(self, data: bytes) -> ScanVerdict:
        """The verdict on one file's bytes."""
        ...


class ClamdScanner:
    """clamd's INSTREAM command over TCP (the ClamAV container of docker-compose)."""

    def __init__(self, host: str, port: int, *, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    async def scan(self, data: bytes) -> ScanVerdict:
        """Streams the bytes to clamd in chunks and reads its one-line answer."""
        try:
            async with asyncio.timeout(self.timeout):
                answer = await self._instream(data)
        except (OSError, TimeoutError) as exc:
            raise ScannerUnavailable(f"clamd {self.host}:{self.port}: {exc or type(exc).__name__}") from exc
        return self._verdict(answer)

    async def _instream(self, data: bytes) -> str:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(b"zINSTREAM\0")
            for start in range(0, len(data), INSTREAM_CHUNK):
                chunk = data[start : start + INSTREAM_CHUNK]
                writer.write(struct.pack("!L", len(chunk)) + chunk)
                await writer.drain()
            writer.write(struct.pack("!L", 0))
            await writer.drain()
            return (await reader.read()).rstrip(b"\0\n").decode(errors="replace")
        finally:
            writer.close()

    def _verdict(self, answer: str) -> ScanVerdict:
        # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        if answer.endswith(" OK"):
            return ScanVerdict("clamd")
        found = _FOUND.search(answer)
        if found:
            return ScanVerdict("clamd", found["signature"])
        raise ScannerUnavailable(f"clamd answered {answer!r}")


class ClamscanScanner:
    """The clamscan command on the file's bytes (standard input), with a signature database of its own."""

    def __init__(self, command: str, database: str, *, timeout: float) -> None:
        self.command, self.database, self.timeout = command, database, timeout

    async def scan(self, data: bytes) -> ScanVerdict:
        """Runs clamscan once; exit 0 is clean, 1 a match, anything else no verdict."""
        args = [self.command, "--no-summary", "--stdout"]
        if self.database:
            args.append(f"--database={self.database}")
        try:
            process = await asyncio.create_subprocess_exec(
                *args,
                "-",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise ScannerUnavailable(f"{self.command}: {exc}") from exc
        try:
            async with asyncio.timeout(self.timeout):
                out, err = await process.communicate(data)
        except TimeoutError as exc:
            process.kill()
            await process.wait()
            raise ScannerUnavailable(f"{self.command}: no answer within {self.timeout} s") from exc
        return self._verdict(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))

    def _verdict(self, code: int | None, out: str, err: str) -> ScanVerdict:
        if code == CLAMSCAN_CLEAN:
            return ScanVerdict("clamscan")
        found = _FOUND.search(out)
        if code == CLAMSCAN_FOUND and found:
            return ScanVerdict("clamscan", found["signature"])
        raise ScannerUnavailable(f"{self.command} exit {code}: {(err or out).strip()[:300]}")


def scanner_of(settings: Settings) -> VirusScanner:
    """clamd when a host is configured (production), clamscan with its database otherwise."""
    if settings.clamav_host:
        return ClamdScanner(settings.clamav_host, settings.clamav_port, timeout=settings.scan_timeout_seconds)
    return ClamscanScanner(settings.clamscan, settings.clamav_database, timeout=settings.scan_timeout_seconds)
