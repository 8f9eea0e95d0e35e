"""What the access matrix API accepts and returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from tbms_core.auth import Access, Area

Level = Literal["update", "read", "none"]
LEVEL_OF: dict[Access, Level] = {Access.UPDATE: "update", Access.READ: "read", Access.NONE: "none"}


class AreaAccess(BaseModel):
    """One business area's level: the effective one, the one given directly, and the groups that grant it."""

    area: str
    label: str
    level: Level
    level_label: str
    direct: Level
    inherited_from: list[str]

    @classmethod
    def of(cls, area: Area, direct: Access, inherited: dict[str, Access]) -> AreaAccess:
        """Effective level = the highest of the direct level and every group's level."""
        level = max([direct, *inherited.values()])
        return cls(
            area=str(area),
            label=area.label,
            level=LEVEL_OF[level],
            level_label=level.label,
            direct=LEVEL_OF[direct],
            inherited_from=sorted(name for name, granted in inherited.items() if granted > Access.NONE),
        )


class AccessMatrix(BaseModel):
    """A user's or group's level in every area; changes apply from the user's next token refresh."""

    id: str
    name: str
    areas: list[AreaAccess]


class GroupAccessPage(BaseModel):
    """Every group's access matrix."""

    groups: list[AccessMatrix]
