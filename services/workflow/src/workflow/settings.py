"""Settings of the workflow service (`TBMS_WORKFLOW_*`)."""

from functools import lru_cache
from typing import ClassVar

from pydantic import Field
from tbms_core.settings import ServiceSettings, prefix

# Who holds a route step, as realm roles in the token (the Keycloak groups give them: 保健師, 事務, 係長, 管理者…).
# Each step role maps to alternatives; an alternative is roles joined by "+" that must all be held. The realm's 課長
# and 所長 groups carry workflow:section-chief and workflow:director; where a health centre gives nobody those
# groups, the steps are decided by 代決 (the default route allows a 係長 to).
STEP_ROLES: dict[str, list[str]] = {
    "担当": ["patients:update", "contacts:update", "review:update", "forms:update", "documents:update"],
    "係長": ["audit:read+patients:update"],
    "課長": ["workflow:section-chief"],
    "所長": ["workflow:director"],
}
# The default route of a document type without a route of its own: each step with the roles that may 代決.
DEFAULT_ROUTE: list[dict[str, object]] = [
    {"role": "担当", "on_behalf_by": []},
    {"role": "係長", "on_behalf_by": []},
    {"role": "課長", "on_behalf_by": ["係長"]},
    {"role": "所長", "on_behalf_by": ["課長", "係長"]},
]


class Settings(ServiceSettings):
    """Workflow service settings."""

    model_config = prefix("workflow")
    service: ClassVar[str] = "workflow"

    step_roles: dict[str, list[str]] = STEP_ROLES
    default_route: list[dict[str, object]] = DEFAULT_ROUTE
    # A to-do list is limited to the user's own district (the token's `district`) unless the user holds one of
    # these roles: a 係長 looks after every team and reads the counts per team.
    all_districts_roles: list[str] = Field(default_factory=lambda: ["audit:read"])


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
