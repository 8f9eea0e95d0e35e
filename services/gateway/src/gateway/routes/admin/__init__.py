"""Administration pages under /admin: ユーザ管理, 権限設定, ログイン履歴, 操作履歴 (R32, R34, R36)."""

from fastapi import APIRouter

from gateway.routes.admin import access, history, users

router = APIRouter(prefix="/admin")
router.include_router(users.router)
router.include_router(access.router)
router.include_router(history.router)
