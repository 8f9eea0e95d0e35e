"""Virus scanning of uploaded files with ClamAV: clamd over TCP (INSTREAM) in production, clamscan elsewhere.

Every scanner fails closed: when it cannot give a verdict (no daemon, no signature database, a timeout) it
raises ScannerUnavailable and the file is not stored. SignatureWatch wraps a scanner and also refuses to scan
with signatures older than a limit (N22): their date is shown to administrators and exported as a metric.
"""

from __future__ import annotations

import asyncio
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from prometheus_client import Gauge
from tbms_core.db import utcnow

from reports.settings import Settings

INSTREAM_CHUNK = 64 * 1024
_FOUND = re.compile(r":\s*(?P<signature>\S.*?)\s+FOUND\s*$", re.MULTILINE)
CLAMSCAN_CLEAN, CLAMSCAN_FOUND = 0, 1  # clamscan's exit codes; anything else is an error (no database, …)


# "ClamAV 1.4.1/27471/Tue Dec  2 09:35:21 2026": engine, signature database version and its date
_VERSION = re.compile(r"^ClamAV (?P<engine>[^/\s]+)(?:/(?P<database>\d+)/(?P<date>.+))?$")
SIGNATURE_AGE = Gauge("tbms_clamav_signature_age_seconds", "Age of the virus signatures the scanner uses")


class ScannerUnavailable(RuntimeError):
    """The scanner could not give a verdict: the file must not be stored."""


class SignaturesTooOld(ScannerUnavailable):
    """The signatures are older than the limit (or their date is unknown): the file must not be stored."""

    def __init__(self, status: SignatureStatus) -> None:
        super().__init__(f"virus signatures of {status.published or 'unknown date'} are too old")
        self.status = status


@dataclass(frozen=True)
class Signatures:
    """Which signature database the scanner uses, and when it was published (None: unknown)."""

    engine: str
    database: str
    published: datetime | None


def parse_version(answer: str) -> Signatures:
    """clamd's VERSION answer or `clamscan --version`'s line; the date is UTC (freshclam's containers run in UTC)."""
    found = _VERSION.match(answer.strip().rstrip("\0"))
    if not found:
        raise ScannerUnavailable(f"unexpected version answer {answer!r}")
    published = None
    if found["date"]:
        try:
            published = datetime.strptime(" ".join(found["date"].split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
        except ValueError as exc:
            raise ScannerUnavailable(f"unexpected signature date {found['date']!r}") from exc
    return Signatures(found["engine"], found["database"] or "", published)


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

    async def signatures(self) -> Signatures:
        """The signature database in use, or raises ScannerUnavailable."""
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

    async def signatures(self) -> Signatures:
        """clamd's VERSION: the engine, the daily database's version and date."""
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(self.host, self.port)
                try:
                    writer.write(b"zVERSION\0")
                    await writer.drain()
                    answer = (await reader.read()).decode(errors="replace")
                finally:
                    writer.close()
        except (OSError, TimeoutError) as exc:
            raise ScannerUnavailable(f"clamd {self.host}:{self.port}: {exc or type(exc).__name__}") from exc
        return parse_version(answer)

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

    async def signatures(self) -> Signatures:
        """`clamscan --version` with the configured database; a folder of signatures of our own (local
        development's test signature) carries no date in it, so the newest file's time stands for it."""
        args = [self.command, "--version"] + ([f"--database={self.database}"] if self.database else [])
        try:
            process = await asyncio.create_subprocess_exec(
                *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
            async with asyncio.timeout(self.timeout):
                out, _ = await process.communicate()
        except (OSError, TimeoutError) as exc:
            raise ScannerUnavailable(f"{self.command} --version: {exc or type(exc).__name__}") from exc
        found = parse_version(out.decode(errors="replace"))
        folder = Path(self.database) if self.database else None
        if found.published is None and folder is not None and folder.is_dir():
            times = [entry.stat().st_mtime for entry in folder.iterdir() if entry.is_file()]
            if times:
                published = datetime.fromtimestamp(max(times), UTC)
                return Signatures(found.engine, f"{folder.name}（独自の定義）", published)
        return found

    def _verdict(self, code: int | None, out: str, err: str) -> ScanVerdict:
        if code == CLAMSCAN_CLEAN:
            return ScanVerdict("clamscan")
        found = _FOUND.search(out)
        if code == CLAMSCAN_FOUND and found:
            return ScanVerdict("clamscan", found["signature"])
        raise ScannerUnavailable(f"{self.command} exit {code}: {(err or out).strip()[:300]}")


@dataclass(frozen=True)
class SignatureStatus:
    """The signatures' age against the limits: ok, old (alert the administrator), refused (no upload)."""

    state: Literal["ok", "old", "refused", "unavailable"]
    engine: str
    database: str
    published: datetime | None
    checked_at: datetime
    warn_after_hours: float
    refuse_after_hours: float
    error: str = ""

    @property
    def age_hours(self) -> float | None:
        """Hours since the signatures were published."""
        return None if self.published is None else (self.checked_at - self.published).total_seconds() / 3600


class SignatureWatch:
    """A scanner that first checks its signatures' age (asked again every `recheck`), refusing when too old."""

    def __init__(self, scanner: VirusScanner, *, warn_after: timedelta, refuse_after: timedelta, recheck: timedelta):
        self.scanner, self.warn_after, self.refuse_after, self.recheck = scanner, warn_after, refuse_after, recheck
        self._last: SignatureStatus | None = None

    async def status(self, *, fresh: bool = False) -> SignatureStatus:
        """The signatures' state now (kept for `recheck`); updates the age metric."""
        now = utcnow()
        if fresh or self._last is None or now - self._last.checked_at >= self.recheck:
            self._last = await self._check(now)
        return self._last

    async def scan(self, data: bytes) -> ScanVerdict:
        """Scans with the wrapped scanner, unless the signatures are too old or their date unknown."""
        status = await self.status()
        if status.state == "refused":
            raise SignaturesTooOld(status)
        return await self.scanner.scan(data)

    async def signatures(self) -> Signatures:
        """The wrapped scanner's signatures."""
        return await self.scanner.signatures()

    async def watch(self) -> None:
        """Checks the signatures every `recheck` until cancelled (a failure is a state, never an exception)."""
        while True:
            await self.status(fresh=True)
            await asyncio.sleep(max(self.recheck.total_seconds(), 1.0))

    async def _check(self, now: datetime) -> SignatureStatus:
        limits = {"warn_after_hours": self.warn_after / timedelta(hours=1)}
        limits["refuse_after_hours"] = self.refuse_after / timedelta(hours=1)
        try:
            found = await self.scanner.signatures()
        except ScannerUnavailable as exc:  # the scan itself will fail closed and say so
            return SignatureStatus("unavailable", "", "", None, now, **limits, error=str(exc))
        age = None if found.published is None else now - found.published
        if age is not None:
            SIGNATURE_AGE.set(age.total_seconds())
        state = "refused" if age is None or age > self.refuse_after else "old" if age > self.warn_after else "ok"
        return SignatureStatus(state, found.engine, found.database, found.published, now, **limits)


def scanner_of(settings: Settings) -> SignatureWatch:
    """clamd when a host is configured (production), clamscan with its database otherwise; both watched."""
    timeout = settings.scan_timeout_seconds
    if settings.clamav_host:
        scanner: VirusScanner = ClamdScanner(settings.clamav_host, settings.clamav_port, timeout=timeout)
    else:
        scanner = ClamscanScanner(settings.clamscan, settings.clamav_database, timeout=timeout)
    return SignatureWatch(
        scanner,
        warn_after=timedelta(hours=settings.signature_warn_hours),
        refuse_after=timedelta(hours=settings.signature_refuse_hours),
        recheck=timedelta(seconds=settings.signature_recheck_seconds),
    )
