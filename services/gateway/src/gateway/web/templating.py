"""Jinja2 templates and the filters that print dates, ages and codes the way staff read them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse
from tbms_contracts.labels import REGISTRATION_CATEGORY_LABELS
from tbms_core import clock
from tbms_core.clock import JST
from tbms_core.jp.gaiji import OUTPUTS
from tbms_core.jp.my_number import MY_NUMBER_WARNING
from tbms_core.jp.wareki import WarekiError, format_both, format_wareki

from gateway.web.permissions import checker, role_label
from gateway.web.sessions import Session

TEMPLATES_DIR = Path(__file__).parents[1] / "templates"

SEX_LABELS = {"male": "男性", "female": "女性"}
STATUS_LABELS = {"active": "登録中", "excluded": "登録除外", "transferred_out": "転出"}
RECORD_TYPE_LABELS = {"patient": "患者", "contact": "接触者"}


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(JST).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def wareki(value: date | str | None, style: str = "long") -> str:
    """和暦 of an ISO date (昭和45年3月1日, or S45.3.1 with style="short"); empty when absent."""
    day = _as_date(value)
    try:
        return format_wareki(day, style) if day else ""  # type: ignore[arg-type]
    except WarekiError:
        return day.isoformat() if day else ""


def wareki_with_seireki(value: date | str | None) -> str:
    """和暦 with 西暦 in brackets: 昭和45年3月1日（1970年3月1日）."""
    day = _as_date(value)
    return format_both(day) if day else ""


def _in_tokyo(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(JST)


def jst(value: datetime | str | None) -> str:
    """A moment in Asia/Tokyo: 令和8年11月21日 09:05."""
    if not value:
        return ""
    local = _in_tokyo(value)
    return f"{format_wareki(local.date())} {local:%H:%M}"


def jst_seconds(value: datetime | str | None) -> str:
    """A moment in Asia/Tokyo to the second, as logs are read: 令和8年11月21日 09:05:07."""
    if not value:
        return ""
    local = _in_tokyo(value)
    return f"{format_wareki(local.date())} {local:%H:%M:%S}"


def age(value: date | str | None, today: date | None = None) -> str:
    """Age in full years today (Asia/Tokyo), e.g. 55歳."""
    born = _as_date(value)
    if born is None:
        return ""
    today = today or clock.today()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return f"{years}歳"


def record_url(item: dict[str, Any]) -> str:
    """The page of a search hit: /patients/<id> for a patient, /contacts/<id> for a contact."""
    kind = str(item.get("type") or "patient")
    return f"/{kind}s/{quote(str(item.get('id', '')), safe='')}"


def _label(mapping: dict[str, str]) -> Any:
    return lambda value: mapping.get(str(value), str(value or ""))


def build_templates() -> Jinja2Templates:
    """The gateway's templates with its filters registered."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    filters = templates.env.filters
    filters.update(wareki=wareki, wareki_with_seireki=wareki_with_seireki, jst=jst, jst_seconds=jst_seconds, age=age)
    filters.update(
        sex=_label(SEX_LABELS),
        category=_label(REGISTRATION_CATEGORY_LABELS),
        status=_label(STATUS_LABELS),
        record_type=_label(RECORD_TYPE_LABELS),
    )
    templates.env.globals.update(
        record_url=record_url, sex_labels=SEX_LABELS, my_number_warning=MY_NUMBER_WARNING, char_outputs=OUTPUTS
    )
    return templates


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Renders a page with the session's user and CSRF token available to the layout."""
    templates: Jinja2Templates = request.app.state.templates
    session = getattr(request.state, "session", None)
    user = session.user if session is not None else None
    settings = request.app.state.settings
    base = {
        "flash": _take_flash(request, session),
        "user": user,
        "csrf_token": session.csrf_token if session is not None else "",
        "current_path": request.url.path,
        "can": checker(user),
        "role_label": role_label(user),
        "login_banner": settings.login_banner,
        "banner_after_login": settings.login_banner_after_login,
        "session_timer": session_timer(request, session),
        "page_help": _page_help(request, user),
        "reason_expected": settings.correction_reason_expected,
        "maintenance_now": clock.now(),
        "maintenance": request.app.state.help_texts.maintenance_to_announce(
            clock.now(), settings.maintenance_notice_days
        ),
    }
    base["flash_target"] = getattr(request.state, "flash_target", "")
    base["inbox_badge"] = getattr(request.state, "inbox_badge", None)  # read by the login dependency, per page
    return templates.TemplateResponse(request, name, {**base, **(context or {})}, status_code=status_code)


def _page_help(request: Request, user: object) -> tuple[str, Any] | None:
    """The page's 「この画面の使い方」 (texts administrators edit, N25); none before login or in a fragment."""
    if user is None or request.headers.get("hx-request"):
        return None
    return request.app.state.help_texts.page_help(request.url.path)


def flash(request: Request, message: str, target: str = "") -> None:
    """Keeps a message for the page the browser is sent to next: what a change did, shown once with the focus,
    under the heading whose id is `target` when given (the saved section, scrolled below the sticky header).
    The browser's own move to a #fragment takes the focus; app.js gives it back to the message after the load."""
    session: Session | None = getattr(request.state, "session", None)
    if session is not None:
        session.flash, session.flash_target = message, target


def _take_flash(request: Request, session: Session | None) -> str:
    """The kept message, once, on a whole page (a fragment loaded while typing does not take it)."""
    if session is None or not session.flash or request.headers.get("hx-request"):
        return ""
    message, session.flash = session.flash, ""
    request.state.flash_target, session.flash_target = session.flash_target, ""
    return message


def session_timer(request: Request, session: Session | None) -> dict[str, int] | None:
    """Seconds left and when to warn, for the idle-timeout warning in the browser (N04); None before login."""
    if session is None or not session.authenticated:
        return None
    store = request.app.state.sessions
    idle = int(store.limits(session).idle_seconds)
    warn = min(request.app.state.settings.idle_warning_minutes * 60, idle // 2)
    return {"remaining": int(store.remaining(session).seconds), "warn": warn}
