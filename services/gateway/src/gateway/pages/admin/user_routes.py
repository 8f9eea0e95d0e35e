"""ユーザ管理 (R34): list and search, create with a temporary password shown once, edit, disable, unlock, reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.identity import IdentityClient
from gateway.pages.admin.entry_forms import PASSWORD_MODES, USER_FIELDS, PasswordForm, UserForm, valid_id
from gateway.web.deps import IdentityDep, require_access
from gateway.web.errors import PageNotFound
from gateway.web.templating import render

router = APIRouter(prefix="/users", tags=["ユーザ管理"])
CAN_READ = [Depends(require_access(Area.USERS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.USERS, Access.UPDATE))]
DONE = {
    "updated": "ユーザ情報を保存しました。",
    "disabled": "ユーザを無効にしました。このユーザはログインできません。",
    "enabled": "ユーザを有効にしました。",
    "unlocked": "ロックを解除しました。",
}
ACTIONS = {"disable": "disabled", "enable": "enabled", "unlock": "unlocked"}
REQUIRED_ACTIONS = {"UPDATE_PASSWORD": "パスワード変更", "CONFIGURE_TOTP": "ワンタイムパスワード設定"}


def _context(**values: Any) -> dict[str, Any]:
    return {
        "fields": {f.name: f for f in USER_FIELDS},
        "password_modes": PASSWORD_MODES,
        "required_actions": REQUIRED_ACTIONS,
        **values,
    }


@router.get("", dependencies=CAN_READ)
async def list_users(request: Request, identity: IdentityDep, q: str = "") -> Response:
    """Staff accounts, all or those whose ID, name or e-mail contains the words."""
    users = await identity.users(q.strip())
    return render(request, "admin/users/list.html", _context(users=users, q=q.strip(), title="ユーザ管理"))


@router.get("/new", dependencies=CAN_UPDATE)
async def new_user(request: Request, identity: IdentityDep) -> Response:
    """The empty form for a new account."""
    return await _new_user_page(request, identity, UserForm())


@router.post("", dependencies=CAN_UPDATE)
async def create_user(request: Request, identity: IdentityDep) -> Response:
    """Creates the account; shows the temporary password once, or the form again with the messages."""
    form = UserForm.from_form(await request.form())
    if form.check(new=True):
        password = form.password()
        created = await identity.create_user(form.create_payload(password))
        if created.record is not None:
            context = _context(account=created.record, password=password, created=True, title="ユーザを登録しました")
            return render(request, "admin/users/password.html", context)
        form.set_errors(created.errors or {})
    return await _new_user_page(request, identity, form, status_code=422)


async def _new_user_page(
    request: Request, identity: IdentityClient, form: UserForm, status_code: int = 200
) -> Response:
    groups = [group["name"] for group in await identity.groups()]
    context = _context(form=form, groups=groups, title="ユーザの新規登録")
    return render(request, "admin/users/new.html", context, status_code=status_code)


def _checked(user_id: str) -> str:
    if not valid_id(user_id):
        raise PageNotFound("指定されたユーザが見つかりません。")
    return user_id


@router.get("/{user_id}", dependencies=CAN_READ)
async def view_user(request: Request, user_id: str, identity: IdentityDep, done: str = "") -> Response:
    """One account: its state, the edit form and the actions an administrator can take."""
    account = await identity.user(_checked(user_id))
    return await _user_page(request, account, done=DONE.get(done, ""))


async def _user_page(
    request: Request,
    account: dict[str, Any],
    *,
    form: UserForm | None = None,
    password_form: PasswordForm | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    context = _context(
        account=account,
        form=form or UserForm.of_user(account),
        password_form=password_form or PasswordForm(),
        done=done,
        title=f"ユーザ: {account.get('username', '')}",
    )
    return render(request, "admin/users/detail.html", context, status_code=status_code)


@router.post("/{user_id}", dependencies=CAN_UPDATE)
async def update_user(request: Request, user_id: str, identity: IdentityDep) -> Response:
    """Saves name, e-mail, district and job title; a refused field is shown beside it, input kept."""
    _checked(user_id)
    form = UserForm.from_form(await request.form())
    if form.check(new=False):
        saved = await identity.update_user(user_id, form.update_payload())
        if saved.record is not None:
            return RedirectResponse(f"/admin/users/{user_id}?done=updated", status_code=303)
        form.set_errors(saved.errors or {})
    return await _user_page(request, await identity.user(user_id), form=form, status_code=422)


@router.post("/{user_id}/{action}", dependencies=CAN_UPDATE)
async def change_state(request: Request, user_id: str, action: str, identity: IdentityDep) -> Response:
    """無効にする, 有効にする, ロックを解除する; or sets a new temporary password and shows it once."""
    _checked(user_id)
    if action == "reset-password":
        return await _reset_password(request, user_id, identity)
    if action not in ACTIONS:
        raise PageNotFound()
    await identity.user_action(user_id, action)
    return RedirectResponse(f"/admin/users/{user_id}?done={ACTIONS[action]}", status_code=303)


async def _reset_password(request: Request, user_id: str, identity: IdentityClient) -> Response:
    form = PasswordForm.from_form(await request.form())
    if form.check():
        password = form.password()
        reset = await identity.reset_password(user_id, password)
        if reset.record is not None:
            context = _context(
                account=reset.record, password=password, created=False, title="仮パスワードを設定しました"
            )
            return render(request, "admin/users/password.html", context)
        form.refuse(next(iter((reset.errors or {}).values()), "パスワードを再設定できませんでした。"))
    account = await identity.user(user_id)
    return await _user_page(request, account, password_form=form, status_code=422)
