"""What the district API returns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DistrictRead(BaseModel):
    """One district as lists and forms show it."""

    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
