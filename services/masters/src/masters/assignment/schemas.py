"""What the responsible-nurse lookup answers."""

from __future__ import annotations

from pydantic import BaseModel


class AssignedNurse(BaseModel):
    """A nurse assigned to the district, and how well the assignment fits the address."""

    assignment_code: str
    nurse_username: str
    nurse_name: str
    district_code: str
    matched_area: str  # the 担当町丁目 line the address is in; "" for an assignment of the whole district
    why: str


class NurseLookup(BaseModel):
    """The district of the address and the nurse who serves it (`proposed`, None when no assignment fits), with
    every nurse assigned to that district to choose from instead."""

    district_code: str
    district_name: str
    district_why: str
    proposed: AssignedNurse | None
    nurses: list[AssignedNurse]
    basis: str
