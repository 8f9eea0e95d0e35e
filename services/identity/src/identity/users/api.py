"""HTTP API of user administration (ユーザ管理)."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from identity.deps import UserAdminServiceDep
from identity.users.schemas import PasswordReset, UserCreate, UserPage, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["ユーザ管理"])


@router.get("")
async def search_users(service: UserAdminServiceDep, q: str = Query("", max_length=100)) -> UserPage:
    """Staff accounts by username, name or e-mail (R34)."""
    return UserPage(items=await service.search(q))


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_user(data: UserCreate, service: UserAdminServiceDep) -> UserRead:
    """Creates an account with a temporary password; TOTP and a new password at first login (R34, N02)."""
    return await service.create(data)


@router.get("/{user_id}")
async def get_user(user_id: str, service: UserAdminServiceDep) -> UserRead:
    """One account."""
    return await service.get(user_id)


@router.patch("/{user_id}")
async def update_user(user_id: str, data: UserUpdate, service: UserAdminServiceDep) -> UserRead:
    """Changes an account's name, e-mail, district or job title."""
    return await service.update(user_id, data)


@router.post("/{user_id}/disable")
async def disable_user(user_id: str, service: UserAdminServiceDep) -> UserRead:
    """Stops an account from logging in."""
    return await service.set_enabled(user_id, False)


@router.post("/{user_id}/enable")
async def enable_user(user_id: str, service: UserAdminServiceDep) -> UserRead:
    """Lets a disabled account log in again."""
    return await service.set_enabled(user_id, True)


@router.post("/{user_id}/unlock")
async def unlock_user(user_id: str, service: UserAdminServiceDep) -> UserRead:
    """Lifts the lockout after repeated failed logins."""
    return await service.unlock(user_id)


@router.post("/{user_id}/reset-password")
async def reset_password(user_id: str, data: PasswordReset, service: UserAdminServiceDep) -> UserRead:
    """Sets a temporary password the user must change at the next login."""
    return await service.reset_password(user_id, data)
