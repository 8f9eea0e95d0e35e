"""What the logged-in user may do in the gateway: pages and buttons follow the per-area levels (R32).

The back-end services still decide (403); the gateway hides what a user may not do and refuses such
requests itself, so a read-only user never sees a form that would only fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tbms_core.auth import Access, Area, levels_from_roles

from gateway.web.sessions import User

LEVELS = {"update": Access.UPDATE, "read": Access.READ, "none": Access.NONE}
ADMIN_AREAS = (Area.USERS, Area.AUDIT)
# Requests that change something, or pages only for changing something: the level each needs.
# The first matching rule applies; paths without a rule are left to the back-end service.
WRITE_RULES: tuple[tuple[re.Pattern[str], Area, Access], ...] = (
    (re.compile(r"^/patients/[^/]+/documents$"), Area.FORMS, Access.READ),  # printing a form is a read
    (re.compile(r"^/documents/batches$"), Area.FORMS, Access.READ),
    (re.compile(r"^/documents/templates/[^/]+$"), Area.MASTERS, Access.UPDATE),  # a new version of a form's template
    (
        re.compile(r"^/documents/(patients/[^/]+/files|contacts/[^/]+/files|files/[^/]+/withdraw)$"),
        Area.DOCUMENTS,
        Access.UPDATE,
    ),
    (re.compile(r"^/patients(/|$)"), Area.PATIENTS, Access.UPDATE),
    (re.compile(r"^/contacts(/|$)"), Area.CONTACTS, Access.UPDATE),
    (re.compile(r"^/admin/(users|access)(/|$)"), Area.USERS, Access.UPDATE),
    (re.compile(r"^/masters(/|$)"), Area.MASTERS, Access.UPDATE),
)
WRITE_PAGES = (
    re.compile(r"^/patients/new$"),
    re.compile(r"^/masters/[^/]+/(new|import|imports/[^/]+)$"),  # a new row, an upload and its preview
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def level_of(roles: frozenset[str], area: Area | str) -> Access:
    """The user's level in one area."""
    return levels_from_roles(roles)[Area(area)]


def allows(user: User | None, area: Area | str, level: Access | str = Access.READ) -> bool:
    """True when the user has at least this level in the area (False before login)."""
    if user is None:
        return False
    wanted = LEVELS[level] if isinstance(level, str) else level
    return level_of(user.roles, area) >= wanted


def is_administrator(roles: frozenset[str]) -> bool:
    """Update on user administration or on the audit area makes an administrator (N03: shorter sessions)."""
    return any(level_of(roles, area) >= Access.UPDATE for area in ADMIN_AREAS)


def checker(user: User | None) -> Callable[..., bool]:
    """`can(area, level="read")` for templates."""
    return lambda area, level="read": allows(user, area, level)


def refusal(area: Area, level: Access) -> str:
    """The Japanese reason, worded as the back-end services word it."""
    return f"「{area.label}」の{level.label}権限がありません。管理者に確認してください。"


def required_level(method: str, path: str) -> tuple[Area, Access] | None:
    """The area and level a request needs before the gateway passes it on, if any."""
    if method not in UNSAFE_METHODS and not any(page.match(path) for page in WRITE_PAGES):
        return None
    for pattern, area, level in WRITE_RULES:
        if pattern.match(path):
            return area, level
    return None


def role_label(user: User | None) -> str:
    """The user's role in words for the header badge: 管理者, 保健師, 事務 or 閲覧のみ (from the area levels)."""
    if user is None:
        return ""
    levels = levels_from_roles(user.roles)
    if is_administrator(user.roles):
        return "管理者"
    if levels[Area.PATIENTS] >= Access.UPDATE or levels[Area.CONTACTS] >= Access.UPDATE:
        return "保健師"
    if any(levels[area] >= Access.UPDATE for area in (Area.FORMS, Area.DOCUMENTS, Area.STATS, Area.MASTERS)):
        return "事務"
    if any(level >= Access.READ for level in levels.values()):
        return "閲覧のみ"
    return "権限なし"
