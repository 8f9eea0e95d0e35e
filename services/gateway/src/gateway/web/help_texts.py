"""Texts administrators edit without changing the program (N25): per-page help, notices and the FAQ.

Each text is a Markdown file. The gateway ships defaults (gateway/texts/); an administrator's edit is written to
the help directory (TBMS_GATEWAY_HELP_DIR, else the state directory) and wins over the default from then on.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup
from tbms_core.clock import JST

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
    (re.compile(r"^/search(/advanced)?$"), "search", "検索"),
    (re.compile(r"^/contacts(/.*)?$"), "contacts", "接触者健診"),
    (re.compile(r"^/dots(/.*)?$"), "dots", "服薬支援"),
    (re.compile(r"^/followup(/.*)?$"), "followup", "管理検診・行動調査"),
    (re.compile(r"^/(todos|circulations)(/.*)?$"), "workflow", "予定・回議"),
    (re.compile(r"^/masters(/.*)?$"), "masters", "マスタ管理"),
    (re.compile(r"^/admin(/.*)?$"), "admin", "管理"),
)
EDITABLE = {slug: label for _, slug, label in PAGE_HELP} | {
    "notices": "お知らせ",
    "faq": "よくある質問",
    "maintenance": "保守・停止の予定",
}
# "- 2026-12-20 18:00〜20:00 text" or "- 2026-12-20 18:00〜2026-12-21 08:00 text" (Japan time)
_WINDOW = re.compile(
    r"^[-*]\s*(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[〜~～-]\s*(?:(\d{4}-\d{2}-\d{2})\s+)?(\d{1,2}:\d{2})\s+(.+)$"
)


def help_dir() -> Path:
    """Where administrators' edits are kept."""
    configured = os.environ.get("TBMS_GATEWAY_HELP_DIR", "")
    if configured:
        return Path(configured)
    return Path(os.environ.get("TBMS_STATE", "~/.local/state/tbms")).expanduser() / "gateway-help"


def valid_slug(slug: str) -> bool:
    """True for a text that exists in the list of editable texts."""
    return bool(_SLUG.match(slug)) and slug in EDITABLE


def source(slug: str) -> str:
    """The Markdown of a text: the administrator's edit, else the shipped default ("" when neither exists)."""
    if not valid_slug(slug):
        return ""
    for folder in (help_dir(), SHIPPED):
        path = folder / f"{slug}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


def edited(slug: str) -> bool:
    """True when an administrator's edit replaces the shipped default."""
    return valid_slug(slug) and (help_dir() / f"{slug}.md").is_file()


def save(slug: str, text: str) -> None:
    """Writes an administrator's edit (line ends as \\n)."""
    folder = help_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(text.replace("\r\n", "\n").strip() + "\n", encoding="utf-8")


def html(markdown: str) -> Markup:
    """Markdown as HTML (raw HTML in the text is shown as text, never run)."""
    return Markup(_MD.render(markdown))  # noqa: S704 - markdown-it escapes raw HTML with html=False


def page_help(path: str) -> tuple[str, Markup] | None:
    """The help text of the page at this path: (slug, HTML), None when it has none."""
    for pattern, slug, _ in PAGE_HELP:
        if pattern.match(path):
            text = source(slug)
            return (slug, html(text)) if text.strip() else None
    return None


@dataclass(frozen=True)
class Notice:
    """One お知らせ: its date and text."""

    on: date
    text: str


def notices() -> list[Notice]:
    """The お知らせ, newest first: lines "- YYYY-MM-DD text" of the notices text."""
    found = []
    for line in source("notices").splitlines():
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


def maintenance_windows() -> list[Maintenance]:
    """The planned stops of the 保守・停止の予定 text, soonest first."""
    return _windows(source("maintenance"))[0]


def maintenance_problems(text: str) -> list[str]:
    """The list lines of an edited 保守・停止の予定 that are not a planned stop (refused when saving)."""
    return _windows(text)[1]


def maintenance_to_announce(now: datetime, days_ahead: int) -> list[Maintenance]:
    """The stops every page announces: those starting within `days_ahead` days, and the one going on."""
    return [w for w in maintenance_windows() if w.start - timedelta(days=days_ahead) <= now < w.end]


MANUAL_TITLES = {"user": "利用者マニュアル", "admin": "管理者マニュアル", "operations": "運用マニュアル"}


def manual(name: str) -> Markup | None:
    """A manual built from docs/manuals/ (scripts/build_manuals.py), None when unknown."""
    if name not in MANUAL_TITLES:
        return None
    path = MANUALS / f"{name}.html"
    return Markup(path.read_text(encoding="utf-8")) if path.is_file() else None  # noqa: S704 - built from our docs
