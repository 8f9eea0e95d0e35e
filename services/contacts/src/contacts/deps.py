"""FastAPI dependencies of the contacts service: the request's session and user, and a service per module."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import Access, Area, PrincipalDep
from tbms_core.db import SessionDep

from contacts.cluster.service import ClusterService
from contacts.contact.service import ContactService
from contacts.exam.service import ExamService
from contacts.group.service import GroupService
from contacts.index_case.service import IndexCaseService
from contacts.recommendation.service import RecommendationService
from contacts.request.service import RequestService


def get_index_case_service(session: SessionDep, principal: PrincipalDep) -> IndexCaseService:
    """The index-case service of this request."""
    return IndexCaseService(session, principal)


def get_contact_service(session: SessionDep, principal: PrincipalDep) -> ContactService:
    """The contact service of this request."""
    return ContactService(session, principal)


def get_exam_service(session: SessionDep, principal: PrincipalDep) -> ExamService:
    """The screening-examination service of this request."""
    return ExamService(session, principal)


def get_recommendation_service(session: SessionDep, principal: PrincipalDep) -> RecommendationService:
    """The 勧告 service of this request."""
    return RecommendationService(session, principal)


def get_request_service(session: SessionDep, principal: PrincipalDep) -> RequestService:
    """The service of requests between municipalities of this request."""
    return RequestService(session, principal)


def get_group_service(session: SessionDep, principal: PrincipalDep) -> GroupService:
    """The group-contact service of this request."""
    return GroupService(session, principal)


def get_cluster_service(session: SessionDep, principal: PrincipalDep) -> ClusterService:
    """The transmission-picture service of this request."""
    return ClusterService(session, principal)


def may_read_contacts(principal: PrincipalDep) -> None:
    """Refuses, before anything else is read, a user without 接触者管理 参照."""
    principal.require(Area.CONTACTS, Access.READ)


def may_change_contacts(principal: PrincipalDep) -> None:
    """Refuses, before the body is read, a user without 接触者管理 更新."""
    principal.require(Area.CONTACTS, Access.UPDATE)


IndexCaseServiceDep = Annotated[IndexCaseService, Depends(get_index_case_service)]
ContactServiceDep = Annotated[ContactService, Depends(get_contact_service)]
ExamServiceDep = Annotated[ExamService, Depends(get_exam_service)]
ClusterServiceDep = Annotated[ClusterService, Depends(get_cluster_service)]
GroupServiceDep = Annotated[GroupService, Depends(get_group_service)]
RecommendationServiceDep = Annotated[RecommendationService, Depends(get_recommendation_service)]
RequestServiceDep = Annotated[RequestService, Depends(get_request_service)]
MAY_READ = [Depends(may_read_contacts)]
MAY_CHANGE = [Depends(may_change_contacts)]
