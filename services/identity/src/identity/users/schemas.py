"""What the user administration API accepts and returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


def _attribute(raw: dict[str, Any], name: str) -> str:
    values = (raw.get("attributes") or {}).get(name) or [""]
    return str(values[0])


class UserRead(BaseModel):
    """One staff account as administrators see it."""

    id: str
    username: str
    last_name: str
    first_name: str
    email: str
    enabled: bool
    district: str
    job_title: str
    groups: list[str]
    locked: bool
    required_actions: list[str]

    @classmethod
    def of(cls, raw: dict[str, Any], *, groups: list[str], locked: bool) -> UserRead:
        """The API view of a Keycloak user representation."""
        return cls(
            id=raw["id"],
            username=raw["username"],
            last_name=raw.get("lastName") or "",
            first_name=raw.get("firstName") or "",
            email=raw.get("email") or "",
            enabled=bool(raw.get("enabled")),
            district=_attribute(raw, "district"),
            job_title=_attribute(raw, "job_title"),
            groups=groups,
            locked=locked,
            required_actions=list(raw.get("requiredActions") or []),
        )


class UserPage(BaseModel):
    """Users matching a search."""

    items: list[UserRead]


class UserCreate(BaseModel):
    """A new account: it must change the temporary password and set up TOTP at the first login (N02)."""

    username: str
    last_name: str = Field(max_length=100)
    first_name: str = Field("", max_length=100)
    email: str = ""
    district: str = Field("", max_length=64)
    job_title: str = Field("", max_length=64)
    groups: list[str] = []
    temporary_password: str


class UserUpdate(BaseModel):
    """Changes to an account's name, e-mail, district and job title; absent fields stay as they are."""

    last_name: str | None = Field(None, max_length=100)
    first_name: str | None = Field(None, max_length=100)
    email: str | None = None
    district: str | None = Field(None, max_length=64)
    job_title: str | None = Field(None, max_length=64)


class PasswordReset(BaseModel):
    """A new temporary password the user must change at the next login."""

    temporary_password: str
