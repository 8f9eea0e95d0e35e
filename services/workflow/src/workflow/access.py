"""Who may see and act on what: the area of a record's owning service, and the route step roles a user holds."""

from __future__ import annotations

from tbms_core.auth import Access, Area, Principal

from workflow.settings import get_settings

# The business area whose access level decides who sees a record of each owning service (DESIGN §4).
AREA_OF_SERVICE: dict[str, Area] = {
    "patients": Area.PATIENTS,
    "contacts": Area.CONTACTS,
    "review": Area.REVIEW,
    "reports": Area.FORMS,
}


def area_of(service: str) -> Area:
    """The area a record of this service belongs to; an unknown service counts as 患者管理 (the strictest)."""
    return AREA_OF_SERVICE.get(service, Area.PATIENTS)


def services_visible(principal: Principal, access: Access = Access.READ) -> list[str]:
    """The owning services whose records this user may see (or change) at this level."""
    return [service for service, area in AREA_OF_SERVICE.items() if principal.can(area, access)]


def district_scope(principal: Principal) -> str | None:
    """The one district this user's lists are limited to, or None for every district."""
    if not principal.district or principal.roles & set(get_settings().all_districts_roles):
        return None
    return principal.district


def holds(principal: Principal, step_role: str) -> bool:
    """True when the user's roles satisfy one of the alternatives configured for a step role (係長, 課長…)."""
    alternatives = get_settings().step_roles.get(step_role, [])
    return any(set(alternative.split("+")) <= principal.roles for alternative in alternatives)


def step_roles_held(principal: Principal) -> list[str]:
    """Every step role this user holds."""
    return [role for role in get_settings().step_roles if holds(principal, role)]
