"""What the route API reads and answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import Text


class RouteStep(BaseModel):
    """One step: the role that decides it (担当, 係長, 課長, 所長) and the roles that may decide for it (代決)."""

    role: Text = Field(min_length=1, max_length=20)
    on_behalf_by: list[str] = []


class RouteRead(BaseModel):
    """A document type's route; `default` when the type has none of its own."""

    model_config = ConfigDict(from_attributes=True)

    document_type: str
    name: str = ""
    steps: list[RouteStep]
    version: int = 0
    default: bool = False


class RouteChange(BaseModel):
    """Sets a document type's route (version 0 creates it)."""

    name: Text = Field(default="", max_length=100)
    steps: list[RouteStep] = Field(min_length=1, max_length=10)
    version: int = 0
