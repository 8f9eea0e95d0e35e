"""FastAPI dependencies of the identity service: its Keycloak clients and one service per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from identity.access.service import AccessService
from identity.access_review.service import AccessReviewService, AnalysisSettings
from identity.audit_log.service import AuditLogService
from identity.change_log.realm_sync import RealmSync
from identity.change_log.service import ChangeLogService
from identity.keycloak import KeycloakAdmin
from identity.login_history.service import LoginHistoryService
from identity.login_history.sync import LoginSync
from identity.operations_log.service import OperationsLogService
from identity.rights_review.service import RightsReviewService
from identity.settings import get_settings
from identity.usage.service import UsageService
from identity.users.service import UserAdminService


def get_keycloak(request: Request) -> KeycloakAdmin:
    """The service's Keycloak admin client."""
    return request.app.state.keycloak


def get_login_sync(request: Request) -> LoginSync:
    """The service's Keycloak event copier."""
    return request.app.state.login_sync


KeycloakDep = Annotated[KeycloakAdmin, Depends(get_keycloak)]
LoginSyncDep = Annotated[LoginSync, Depends(get_login_sync)]


def get_access_service(session: SessionDep, principal: PrincipalDep, keycloak: KeycloakDep) -> AccessService:
    """The access matrix service of this request."""
    return AccessService(session, principal, keycloak)


def get_user_admin_service(session: SessionDep, principal: PrincipalDep, keycloak: KeycloakDep) -> UserAdminService:
    """The user administration service of this request."""
    return UserAdminService(session, principal, keycloak)


def get_audit_log_service(session: SessionDep, principal: PrincipalDep) -> AuditLogService:
    """The operation history service of this request."""
    return AuditLogService(session, principal)


def get_login_history_service(session: SessionDep, principal: PrincipalDep, sync: LoginSyncDep) -> LoginHistoryService:
    """The login history service of this request."""
    return LoginHistoryService(session, principal, sync)


def get_access_review_service(session: SessionDep, principal: PrincipalDep) -> AccessReviewService:
    """The access review service of this request, with the configured thresholds."""
    return AccessReviewService(session, principal, analysis_settings())


def analysis_settings() -> AnalysisSettings:
    """The access analysis settings from the service settings."""
    settings = get_settings()
    return AnalysisSettings(settings.access_review_thresholds, settings.access_review_settle_days)


def get_rights_review_service(
    session: SessionDep, principal: PrincipalDep, keycloak: KeycloakDep
) -> RightsReviewService:
    """The access-rights review service of this request."""
    return RightsReviewService(session, principal, keycloak, get_settings().rights_review_thresholds)


def get_realm_sync(request: Request) -> RealmSync:
    """The service's Keycloak admin-event copier."""
    return request.app.state.realm_sync


def get_change_log_service(
    session: SessionDep, principal: PrincipalDep, realm_sync: Annotated[RealmSync, Depends(get_realm_sync)]
) -> ChangeLogService:
    """The change log service of this request."""
    return ChangeLogService(session, principal, realm_sync)


ChangeLogServiceDep = Annotated[ChangeLogService, Depends(get_change_log_service)]
RightsReviewServiceDep = Annotated[RightsReviewService, Depends(get_rights_review_service)]
AccessReviewServiceDep = Annotated[AccessReviewService, Depends(get_access_review_service)]
AccessServiceDep = Annotated[AccessService, Depends(get_access_service)]
UserAdminServiceDep = Annotated[UserAdminService, Depends(get_user_admin_service)]
AuditLogServiceDep = Annotated[AuditLogService, Depends(get_audit_log_service)]


def get_usage_service(session: SessionDep, principal: PrincipalDep) -> UsageService:
    """The usage statistics of this request."""
    return UsageService(session, principal)


UsageServiceDep = Annotated[UsageService, Depends(get_usage_service)]
LoginHistoryServiceDep = Annotated[LoginHistoryService, Depends(get_login_history_service)]


def get_operations_log_service(session: SessionDep, principal: PrincipalDep) -> OperationsLogService:
    """The operations log service of this request."""
    return OperationsLogService(session, principal, get_settings().operations_log_retention_days)


OperationsLogServiceDep = Annotated[OperationsLogService, Depends(get_operations_log_service)]
