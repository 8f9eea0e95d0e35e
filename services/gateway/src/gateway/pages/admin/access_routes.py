"""権限設定 (R32): business areas × 更新 / 参照 / 使用不可, per group and per user, edited as a grid."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.identity import IdentityClient
from gateway.pages.admin.entry_forms import valid_id
from gateway.pages.admin.view import group_levels
from gateway.web.deps import IdentityDep, require_access
from gateway.web.errors import PageNotFound
from gateway.web.templating import render

router = APIRouter(prefix="/access", tags=["権限設定"])
CAN_UPDATE = [Depends(require_access(Area.USERS, Access.UPDATE))]
LEVEL_CHOICES = {"update": "更新", "read": "参照", "none": "使用不可"}
SAVED = (
    "保存しました。変更は、各利用者が次にトークンを更新したとき（最長5分後）"
    "またはログインし直したときから有効になります。"
)


def levels_from(form: FormData) -> dict[str, str]:
    """The chosen level of every area; an area left without a choice is not sent."""
    levels = {}
    for area in Area:
        value = str(form.get(str(area)) or "")
        if value in LEVEL_CHOICES:
            levels[str(area)] = value
    return levels


def _checked(item_id: str) -> str:
    if not valid_id(item_id):
        raise PageNotFound()
    return item_id


@router.get("", dependencies=CAN_UPDATE)
async def overview(request: Request, identity: IdentityDep) -> Response:
    """Every group's level in every area, side by side, each group with its edit link."""
    groups = await identity.groups()
    context = {"groups": groups, "areas": list(Area), "levels": group_levels(groups), "title": "権限設定"}
    return render(request, "admin/access/overview.html", context)


@router.get("/groups/{group_id}", dependencies=CAN_UPDATE)
async def edit_group(request: Request, group_id: str, identity: IdentityDep, done: str = "") -> Response:
    """One group's grid of radio buttons."""
    group = await _group(identity, _checked(group_id))
    context = {"matrix": group, "choices": LEVEL_CHOICES, "done": SAVED if done else "", "title": "グループの権限"}
    return render(request, "admin/access/group.html", context)


@router.post("/groups/{group_id}", dependencies=CAN_UPDATE)
async def save_group(request: Request, group_id: str, identity: IdentityDep) -> Response:
    """Saves the group's grid."""
    saved = await identity.set_group_access(_checked(group_id), levels_from(await request.form()))
    if saved.record is None:
        group = await _group(identity, group_id)
        context = {"matrix": group, "choices": LEVEL_CHOICES, "errors": saved.errors, "title": "グループの権限"}
        return render(request, "admin/access/group.html", context, status_code=422)
    return RedirectResponse(f"/admin/access/groups/{group_id}?done=saved", status_code=303)


async def _group(identity: IdentityClient, group_id: str) -> dict[str, Any]:
    for group in await identity.groups():
        if group["id"] == group_id:
            return group
    raise PageNotFound("指定されたグループが見つかりません。")


@router.get("/users/{user_id}", dependencies=CAN_UPDATE)
async def edit_user(request: Request, user_id: str, identity: IdentityDep, done: str = "") -> Response:
    """One user's grid: the direct level, what the groups give, and the level that applies."""
    return await _user_page(request, identity, _checked(user_id), done=SAVED if done else "")


async def _user_page(
    request: Request, identity: IdentityClient, user_id: str, *, done: str = "", errors: dict[str, str] | None = None
) -> Response:
    matrix = await identity.user_access(user_id)
    account = await identity.user(user_id)
    context = {
        "matrix": matrix,
        "account": account,
        "levels": group_levels(await identity.groups()),
        "choices": LEVEL_CHOICES,
        "done": done,
        "errors": errors,
        "title": f"ユーザの権限: {matrix.get('name', '')}",
    }
    return render(request, "admin/access/user.html", context, status_code=422 if errors else 200)


@router.post("/users/{user_id}", dependencies=CAN_UPDATE)
async def save_user(request: Request, user_id: str, identity: IdentityDep) -> Response:
    """Saves the user's direct levels; group levels still apply on top."""
    saved = await identity.set_user_access(_checked(user_id), levels_from(await request.form()))
    if saved.record is None:
        return await _user_page(request, identity, user_id, errors=saved.errors)
    return RedirectResponse(f"/admin/access/users/{user_id}?done=saved", status_code=303)
