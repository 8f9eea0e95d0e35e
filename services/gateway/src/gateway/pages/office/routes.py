"""Pages that make the system fit an office (issue 23): help, manuals, FAQ, notices, the accessibility page
(N25, N31), and two aids of the input forms: 郵便番号 → 住所 and the 外字 check of a typed name (N26)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from tbms_core.auth import Access, Area
from tbms_core.jp.gaiji import OUTPUTS, check_text
from tbms_core.jp.text import normalize_input

from gateway.forms.chars import gaiji_policy
from gateway.pages.office import postal
from gateway.repository import StaleText, TextVersion
from gateway.web import help_texts as texts
from gateway.web.deps import IdentityDep, LoginDep, MastersDep, require_access
from gateway.web.errors import PageNotFound
from gateway.web.templating import flash, render

router = APIRouter(tags=["使い方・お知らせ"])
CAN_EDIT = [Depends(require_access(Area.USERS, Access.UPDATE))]
ACCESSIBILITY_RESULTS = texts.SHIPPED / "accessibility_results.json"


@router.get("/health/maintenance")
async def maintenance_schedule(request: Request) -> Response:
    """The planned stops (保守・停止の予定) and whether the maintenance mode is on, as JSON, for identity's operations
    log (N18): it logs each stop as it starts and ends, and the mode as it is switched on and off. No login: it says
    only what every page announces, like the health checks beside it."""
    windows = [
        {"start": w.start.isoformat(), "end": w.end.isoformat(), "text": w.text}
        for w in texts_of(request).maintenance_windows()
    ]
    return JSONResponse({"windows": windows, "mode": request.app.state.settings.maintenance_mode})


@router.get("/postal-codes/{postal_code}")
async def postal_address(request: Request, postal_code: str, _: LoginDep) -> Response:
    """The address of a postal code from the shipped (or configured) table, for filling the address field."""
    address = postal.address_of(postal_code, request.app.state.settings.postal_code_file)
    if not address:
        return JSONResponse({"detail": "この郵便番号は郵便番号表にありません。住所を入力してください。"}, 404)
    return JSONResponse({"postal_code": postal_code, "address": address})


@router.get("/text-check")
async def text_check(request: Request, _: LoginDep, masters: MastersDep) -> Response:
    """What forms, CSV and NESID will make of a typed name (外字), as a fragment beside the field."""
    typed = next(iter(request.query_params.values()), "")
    report = check_text(normalize_input(typed), gaiji_policy(request, await masters.gaiji_substitutes()))
    return render(request, "office/_chars.html", {"report": report, "outputs": OUTPUTS})


@router.get("/help")
async def help_index(request: Request, _: LoginDep) -> Response:
    """使い方: the manuals, the FAQ and each page's help."""
    context = {"title": "使い方・マニュアル", "manuals": texts.MANUAL_TITLES, "pages": texts.PAGES}
    return render(request, "office/help.html", context)


@router.get("/help/faq")
async def faq(request: Request, _: LoginDep) -> Response:
    """よくある質問."""
    body = texts.html(texts_of(request).source("faq"))
    return render(request, "office/text.html", {"title": "よくある質問", "body": body, "slug": "faq"})


@router.get("/help/manuals/{name}")
async def manual(request: Request, name: str, _: LoginDep) -> Response:
    """A manual built from docs/manuals/."""
    body = texts.manual(name)
    if body is None:
        raise PageNotFound()
    title = texts.MANUAL_TITLES[name]
    return render(request, "office/text.html", {"title": title, "body": body, "nav_path": "/help"})


@router.get("/help/pages/{slug}")
async def page_help(request: Request, slug: str, _: LoginDep) -> Response:
    """One page's 「この画面の使い方」 on a page of its own."""
    if not texts.valid_slug(slug):
        raise PageNotFound()
    body = texts.html(texts_of(request).source(slug))
    return render(request, "office/text.html", {"title": f"{texts.EDITABLE[slug]}の使い方", "body": body, "slug": slug})


@router.get("/notices")
async def notices(request: Request, _: LoginDep) -> Response:
    """お知らせ, newest first."""
    return render(request, "office/notices.html", {"title": "お知らせ", "notices": texts_of(request).notices()})


@router.get("/accessibility")
async def accessibility(request: Request) -> Response:
    """アクセシビリティ方針 and the JIS X 8341-3:2016 test results (open without login)."""
    results: dict[str, Any] = {}
    if ACCESSIBILITY_RESULTS.is_file():
        results = json.loads(ACCESSIBILITY_RESULTS.read_text(encoding="utf-8"))
    body = texts.html((texts.SHIPPED / "accessibility.md").read_text(encoding="utf-8"))
    context = {"title": "アクセシビリティ方針", "body": body, "results": results}
    return render(request, "office/accessibility.html", context)


@router.get("/admin/help", dependencies=CAN_EDIT)
async def edit_index(request: Request) -> Response:
    """The texts an administrator edits: each page's help, お知らせ, the FAQ and 保守・停止の予定."""
    store = texts_of(request)
    items = [(slug, label, store.edited(slug), store.text(slug)) for slug, label in texts.EDITABLE.items()]
    return render(request, "office/edit_index.html", {"title": "使い方・お知らせの編集", "items": items})


@router.get("/admin/help/{slug}", dependencies=CAN_EDIT)
async def edit_text(request: Request, slug: str) -> Response:
    """The editor of one text, with its versions (who saved each, when)."""
    if not texts.valid_slug(slug):
        raise PageNotFound()
    current = texts_of(request).text(slug)
    return await _editor(request, slug, current.body, current.version)


@router.get("/admin/help/{slug}/versions/{number}", dependencies=CAN_EDIT)
async def reopen_version(request: Request, slug: str, number: int) -> Response:
    """The editor filled with an older version's text: saving it makes it the newest version again (a new one)."""
    if not texts.valid_slug(slug):
        raise PageNotFound()
    store = texts_of(request)
    older = await store.version(slug, number)
    if older is None:
        raise PageNotFound()
    return await _editor(request, slug, older.body, store.text(slug).version, reopened=older)


@router.post("/admin/help/{slug}", dependencies=CAN_EDIT)
async def save_text(request: Request, slug: str, login: LoginDep, identity: IdentityDep) -> Response:
    """Saves an administrator's edit as a new version, recorded in the operation history; an empty text is refused
    (the page would lose its help), and so is an edit of a version somebody has replaced meanwhile (409)."""
    if not texts.valid_slug(slug):
        raise PageNotFound()
    form = await request.form()
    text = str(form.get("text") or "")
    based_on = _version(form.get("version"))
    error = "本文を入力してください。" if not text.strip() else ""
    if slug == "maintenance" and (wrong := texts.maintenance_problems(text)):
        error = (
            f"「{wrong[0]}」を停止の予定として読めません。"
            "「- 2026-12-20 18:00〜20:00 内容」の形で、終了は開始より後にしてください。"
        )
    if error or based_on is None:
        error = error or "編集を始めた版が分かりません。画面を開き直してください。"
        return await _editor(request, slug, text, based_on or 0, error=error, status_code=422)
    label = texts.EDITABLE[slug]

    async def record(new: TextVersion) -> None:
        await identity.record_help_text_edit(slug, label, new.version, len(new.body))

    try:
        saved = await texts_of(request).save(
            slug, text, based_on=based_on, saved_by=login.user.username, before_commit=record
        )
    except StaleText as stale:
        return await _editor(request, slug, text, stale.newer.version, newer=stale.newer, status_code=409)
    flash(request, f"「{label}」を第{saved.version}版として保存しました。次に開いた画面から表示されます。")
    return RedirectResponse(f"/admin/help/{slug}", status_code=303)


def texts_of(request: Request) -> texts.Texts:
    """The texts administrators edit, as this process holds them."""
    return request.app.state.help_texts


def _version(value: object) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if number >= 0 else None


async def _editor(
    request: Request,
    slug: str,
    text: str,
    version: int,
    *,
    error: str = "",
    newer: TextVersion | None = None,
    reopened: TextVersion | None = None,
    status_code: int = 200,
) -> Response:
    """The editor: the text, the version it is based on, the versions saved so far, and on a refusal why."""
    context = {
        "title": f"{texts.EDITABLE[slug]}の編集",
        "slug": slug,
        "text": text,
        "version": version,
        "error": error,
        "newer": newer,
        "reopened": reopened,
        "history": await texts_of(request).history(slug),
        "nav_path": "/admin/help",
    }
    return render(request, "office/edit.html", context, status_code=status_code)
