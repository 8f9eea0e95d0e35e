"""Texts administrators edit without changing the program (N25): per-page help, notices and the FAQ.

Each text is Markdown. The gateway ships defaults (gateway/texts/); each save by an administrator is a new version in
the gateway's database (shared by every gateway process, who and when kept, recorded in the operation history by
identity), and the newest version wins over the default from then on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Protocol

from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from tbms_core import clock
from tbms_core.clock import JST

from gateway.repository import BeforeCommit, StaleText, TextVersion

log = logging.getLogger(__name__)
SHIPPED = Path(__file__).parents[1] / "texts"
MANUALS = Path(__file__).parents[1] / "manuals"
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")
_SLUG = re.compile(r"^[a-z0-9-]{1,40}$")
_NOTICE = re.compile(r"^[-*]\s*(\d{4}-\d{2}-\d{2})\s+(.+)$")

# Each page's help text: the first pattern matching the path (its 「この画面の使い方」).
PAGE_HELP: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^/$"), "home", "ホーム"),
    (re.compile(r"^/patients/new$"), "patients-new", "患者登録"),
    (re.compile(r"^/patients$"), "patients-list", "患者一覧"),
    (re.compile(r"^/patients/export$"), "patients-export", "CSV出力"),
    (re.compile(r"^/patients/[^/]+$"), "patient", "患者の画面"),
    (re.compile(r"^/patients/[0-9a-f-]{36}/.+$"), "patient", "患者の画面"),
    (re.compile(r"^/search(/advanced)?$"), "search", "検索"),
    (re.compile(r"^/contacts(/.*)?$"), "contacts", "接触者健診"),
    (re.compile(r"^/dots(/.*)?$"), "dots", "服薬支援"),
    (re.compile(r"^/followup(/.*)?$"), "followup", "管理検診・行動調査"),
    (re.compile(r"^/(todos|circulations)(/.*)?$"), "workflow", "予定・回議"),
    (re.compile(r"^/requests(/.*)?$"), "requests", "他自治体との依頼・回答"),
    (re.compile(r"^/board(/.*)?$"), "board", "診査会・公費"),
    (re.compile(r"^/documents(/.*)?$"), "documents", "帳票・一括印刷・資料"),
    (re.compile(r"^/masters(/.*)?$"), "masters", "マスタ管理"),
    (re.compile(r"^/admin(/.*)?$"), "admin", "管理"),
)
PAGES = {slug: label for _, slug, label in PAGE_HELP}  # each page help once, in menu order
EDITABLE = PAGES | {
    "notices": "お知らせ",
    "faq": "よくある質問",
    "maintenance": "保守・停止の予定",
}
# "- 2026-12-20 18:00〜20:00 text" or "- 2026-12-20 18:00〜2026-12-21 08:00 text" (Japan time)
_WINDOW = re.compile(
    r"^[-*]\s*(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[〜~～-]\s*(?:(\d{4}-\d{2}-\d{2})\s+)?(\d{1,2}:\d{2})\s+(.+)$"
)


def valid_slug(slug: str) -> bool:
    """True for a text that exists in the list of editable texts."""
    return bool(_SLUG.match(slug)) and slug in EDITABLE


def shipped(slug: str) -> str:
    """The default Markdown shipped with the gateway ("" when none)."""
    path = SHIPPED / f"{slug}.md"
    return path.read_text(encoding="utf-8") if valid_slug(slug) and path.is_file() else ""


def cleaned(text: str) -> str:
    """An edit as stored: line ends as \\n, one final newline."""
    return text.replace("\r\n", "\n").strip() + "\n"


class MemoryTexts:
    """The versions of the texts in this process only (single-process tests, TBMS_GATEWAY_SESSION_STORE=memory)."""

    def __init__(self) -> None:
        self.versions: dict[str, list[TextVersion]] = {}

    async def current(self) -> dict[str, TextVersion]:
        """The newest version of every text that has one."""
        return {slug: found[-1] for slug, found in self.versions.items() if found}

    async def history(self, slug: str, limit: int = 20) -> list[TextVersion]:
        """A text's versions, newest first."""
        return list(reversed(self.versions.get(slug, [])))[:limit]

    async def version(self, slug: str, number: int) -> TextVersion | None:
        """One saved version of a text, None when it has no such version."""
        return next((found for found in self.versions.get(slug, []) if found.version == number), None)

    async def save(self, new: TextVersion, before_commit: BeforeCommit) -> TextVersion:
        """Adds `new` unless the text changed since the version the edit started from (StaleText)."""
        found = self.versions.setdefault(new.slug, [])
        if (found[-1].version if found else 0) != new.version - 1:
            raise StaleText(found[-1])
        await before_commit(new)
        found.append(new)
        return new


class TextBackend(Protocol):
    """Where the versions are kept: PostgresTexts (every gateway process) or MemoryTexts."""

    async def current(self) -> dict[str, TextVersion]: ...
    async def history(self, slug: str, limit: int = 20) -> list[TextVersion]: ...
    async def version(self, slug: str, number: int) -> TextVersion | None: ...
    async def save(self, new: TextVersion, before_commit: BeforeCommit) -> TextVersion: ...


async def _nothing(_: TextVersion) -> None:
    return None


class Texts:
    """The texts pages show: the newest saved version of each, else its shipped default. Reloaded from the backend
    when older than `max_age` seconds (at the start of a request), so an edit made through one gateway process shows
    on every other one within that time, and at once on the process that saved it."""

    def __init__(self, backend: TextBackend, max_age: float = 2.0) -> None:
        self.backend, self.max_age = backend, max_age
        self._current: dict[str, TextVersion] = {}
        self._loaded = float("-inf")

    async def refresh(self, *, force: bool = False) -> None:
        """Reloads the newest versions when they may be out of date."""
        if force or monotonic() - self._loaded >= self.max_age:
            try:
                self._current = await self.backend.current()
            except (OSError, SQLAlchemyError) as exc:  # pages go on with the texts last read (or the defaults)
                log.warning("could not reload the edited texts: %s", type(exc).__name__)
                return
            self._loaded = monotonic()

    def text(self, slug: str) -> TextVersion:
        """The text in use: the newest saved version, else the shipped default (version 0)."""
        return self._current.get(slug) or TextVersion(slug, 0, shipped(slug))

    def source(self, slug: str) -> str:
        """The Markdown of a text ("" for an unknown one)."""
        return self.text(slug).body if valid_slug(slug) else ""

    def edited(self, slug: str) -> bool:
        """True when the text in use differs from the shipped default."""
        return valid_slug(slug) and self.source(slug).strip() != shipped(slug).strip()

    async def history(self, slug: str) -> list[TextVersion]:
        """The saved versions of a text, newest first."""
        return await self.backend.history(slug)

    async def version(self, slug: str, number: int) -> TextVersion | None:
        """One saved version of a text (to reopen it), None when it has no such version."""
        return await self.backend.version(slug, number)

    async def save(
        self, slug: str, text: str, *, based_on: int, saved_by: str, before_commit: BeforeCommit = _nothing
    ) -> TextVersion:
        """Saves an edit as the version after `based_on`; StaleText (nothing written) when somebody saved first."""
        new = TextVersion(slug, based_on + 1, cleaned(text), saved_by, clock.now())
        try:
            saved = await self.backend.save(new, before_commit)
        finally:
            await self.refresh(force=True)
        return saved

    def page_help(self, path: str) -> tuple[str, Markup] | None:
        """The help text of the page at this path: (slug, HTML), None when it has none."""
        for pattern, slug, _ in PAGE_HELP:
            if pattern.match(path):
                text = self.source(slug)
                return (slug, html(text)) if text.strip() else None
        return None

    def notices(self) -> list[Notice]:
        """The お知らせ, newest first."""
        return notices_of(self.source("notices"))

    def maintenance_windows(self) -> list[Maintenance]:
        """The planned stops of the 保守・停止の予定 text, soonest first."""
        return _windows(self.source("maintenance"))[0]

    def maintenance_to_announce(self, now: datetime, days_ahead: int) -> list[Maintenance]:
        """The stops every page announces: those starting within `days_ahead` days, and the one going on."""
        return [w for w in self.maintenance_windows() if w.start - timedelta(days=days_ahead) <= now < w.end]


def html(markdown: str) -> Markup:
    """Markdown as HTML (raw HTML in the text is shown as text, never run)."""
    return Markup(_MD.render(markdown))  # noqa: S704 - markdown-it escapes raw HTML with html=False


@dataclass(frozen=True)
class Notice:
    """One お知らせ: its date and text."""

    on: date
    text: str


def notices_of(text: str) -> list[Notice]:
    """The お知らせ of a notices text, newest first: its lines "- YYYY-MM-DD text"."""
    found = []
    for line in text.splitlines():
        if match := _NOTICE.match(line.strip()):
            try:
                found.append(Notice(date.fromisoformat(match[1]), match[2].strip()))
            except ValueError:
                continue
    return sorted(found, key=lambda n: n.on, reverse=True)


@dataclass(frozen=True)
class Maintenance:
    """A planned stop of the system (N07): when, and what users should know."""

    start: datetime
    end: datetime
    text: str

    def running(self, now: datetime) -> bool:
        """True while the stop is going on."""
        return self.start <= now < self.end


def _windows(text: str) -> tuple[list[Maintenance], list[str]]:
    """The planned stops of a 保守・停止の予定 text, and its list lines that are not one (the examples in a
    fenced block are neither)."""
    found, wrong, example = [], [], False
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("```"):
            example = not example
        elif not example and line.startswith(("- ", "* ")):
            window = _window(line)
            if window is None:
                wrong.append(line)
            else:
                found.append(window)
    return sorted(found, key=lambda w: w.start), wrong


def _window(line: str) -> Maintenance | None:
    match = _WINDOW.match(line)
    if match is None:
        return None
    try:
        start = datetime.combine(date.fromisoformat(match[1]), time.fromisoformat(match[2].zfill(5)), JST)
        end = datetime.combine(date.fromisoformat(match[3] or match[1]), time.fromisoformat(match[4].zfill(5)), JST)
    except ValueError:
        return None
    return Maintenance(start, end, match[5].strip()) if end > start else None


def maintenance_problems(text: str) -> list[str]:
    """The list lines of an edited 保守・停止の予定 that are not a planned stop (refused when saving)."""
    return _windows(text)[1]


MANUAL_TITLES = {"user": "利用者マニュアル", "admin": "管理者マニュアル", "operations": "運用マニュアル"}


def manual(name: str) -> Markup | None:
    """A manual built from docs/manuals/ (scripts/build_manuals.py), None when unknown."""
    if name not in MANUAL_TITLES:
        return None
    path = MANUALS / f"{name}.html"
    return Markup(path.read_text(encoding="utf-8")) if path.is_file() else None  # noqa: S704 - built from our docs
