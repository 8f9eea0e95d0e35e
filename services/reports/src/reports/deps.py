"""FastAPI dependencies of the reports service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from reports.document.service import DocumentService
from reports.forms.render import FormRenderer
from reports.storage import DocumentStore


def get_store(request: Request) -> DocumentStore:
    """The process's document store."""
    return request.app.state.store


def get_renderer(request: Request) -> FormRenderer:
    """The process's form renderer."""
    return request.app.state.renderer


StoreDep = Annotated[DocumentStore, Depends(get_store)]
RendererDep = Annotated[FormRenderer, Depends(get_renderer)]


def get_document_service(
    session: SessionDep, principal: PrincipalDep, store: StoreDep, renderer: RendererDep
) -> DocumentService:
    """The document service of this request."""
    return DocumentService(session, principal, store, renderer)


DocumentServiceDep = Annotated[DocumentService, Depends(get_document_service)]
