"""Administration pages under /admin: ユーザ管理, 権限設定, ログイン履歴, 操作履歴 (R32, R34, R36)."""

from fastapi import APIRouter

from gateway.pages.admin import (
    access_routes,
    history_routes,
    retention_routes,
    review_routes,
    rights_routes,
    user_routes,
)

router = APIRouter(prefix="/admin")
router.include_router(user_routes.router)
router.include_router(access_routes.router)
router.include_router(history_routes.router)
router.include_router(review_routes.router)
router.include_router(rights_routes.router)
router.include_router(retention_routes.router)
