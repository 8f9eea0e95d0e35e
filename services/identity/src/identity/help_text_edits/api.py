"""HTTP API recording an edit of a text administrators keep in the gateway (使い方・お知らせ, N25).

The gateway stores the texts in its own database; it has no audit outbox of its own, so each save is recorded here,
in the operation history, as the user administrator who made it (the same area the gateway's editor requires)."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, PrincipalDep
from tbms_core.db import SessionDep

router = APIRouter(prefix="/help-text-edits", tags=["使い方・お知らせの編集"])
SERVICE = "identity"


class HelpTextEditIn(BaseModel):
    """Which text was saved, under which label, and the version the save made."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    label: str = Field(min_length=1, max_length=40)
    version: int = Field(ge=1)
    characters: int = Field(ge=0, le=1_000_000)


class HelpTextEditRecorded(BaseModel):
    """The edit as recorded."""

    slug: str
    version: int
    detail: str


@router.post("", status_code=status.HTTP_201_CREATED)
async def record_help_text_edit(
    edit: HelpTextEditIn, session: SessionDep, principal: PrincipalDep
) -> HelpTextEditRecorded:
    """Records that the current user saved a new version of a gateway text (user administrators only)."""
    principal.require(Area.USERS, Access.UPDATE)
    detail = f"「{edit.label}」を第{edit.version}版として保存（{edit.characters}文字）"
    await audit.record(
        session, principal, SERVICE, Operation.UPDATE, record_type="help_text", record_id=edit.slug, detail=detail
    )
    return HelpTextEditRecorded(slug=edit.slug, version=edit.version, detail=detail)
