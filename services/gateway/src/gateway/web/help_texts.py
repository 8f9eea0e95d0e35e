"""Texts administrators edit without changing the program (N25): per-page help, notices and the FAQ.

Each text is a Markdown file. The gateway ships defaults (gateway/texts/); an administrator's edit is written to
the help directory (TBMS_GATEWAY_HELP_DIR, else the state directory) and wins over the default from then on.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

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
    (re.compile(r"^/(todos|circulations)(/.*)?$"), "workflow", "予定・回議"),
    (re.compile(r"^/masters(/.*)?$"), "masters", "マスタ管理"),
    (re.compile(r"^/admin(/.*)?$"), "admin", "管理"),
)
EDITABLE = {slug: label for _, slug, label in PAGE_HELP} | {"notices": "お知らせ", "faq": "よくある質問"}


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


MANUAL_TITLES = {"user": "利用者マニュアル", "admin": "管理者マニュアル", "operations": "運用マニュアル"}


def manual(name: str) -> Markup | None:
    """A manual built from docs/manuals/ (scripts/build_manuals.py), None when unknown."""
    if name not in MANUAL_TITLES:
        return None
    path = MANUALS / f"{name}.html"
    return Markup(path.read_text(encoding="utf-8")) if path.is_file() else None  # noqa: S704 - built from our docs
