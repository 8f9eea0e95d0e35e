"""What the district list returns."""

from __future__ import annotations

from pydantic import BaseModel


class DistrictRead(BaseModel):
    """One district as lists and forms show it."""

    code: str
    name: str
