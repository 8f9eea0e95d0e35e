"""The identity service application."""

from fastapi import FastAPI
from tbms_core.app import ServiceKit, create_service_app

from identity.access.api import router as access_router
from identity.access_review.api import router as access_review_router
from identity.access_review.service import AnalysisSchedule
from identity.assignments.api import router as assignments_router
from identity.assignments.consumers import CONSUMERS as ASSIGNMENT_CONSUMERS
from identity.audit_log.anchor import AnchorSchedule, AnchorStore
from identity.audit_log.api import router as audit_router
from identity.audit_log.consumers import CONSUMERS
from identity.change_log.api import router as change_log_router
from identity.change_log.realm_sync import RealmSync
from identity.deps import analysis_settings
from identity.help_text_edits.api import router as help_text_edits_router
from identity.keycloak import KeycloakAdmin
from identity.login_history.api import router as login_router
from identity.login_history.sync import LoginSync
from identity.operations_log.api import router as operations_log_router
from identity.operations_log.watch import HealthWatcher, OperationsLogSweep
from identity.review_calendar.api import router as review_calendar_router
from identity.rights_review.api import router as rights_review_router
from identity.settings import get_settings
from identity.usage.api import router as usage_router
from identity.users.api import router as users_router


def create_app() -> FastAPI:
    """Builds the identity service: operation history from `tbms.audit.>`, login history from Keycloak."""
    settings = get_settings()
    login_sync = LoginSync(KeycloakAdmin(settings), interval=settings.login_sync_seconds)
    realm_sync = RealmSync(KeycloakAdmin(settings), interval=settings.realm_sync_seconds)
    keycloak = KeycloakAdmin(settings)
    schedule = AnalysisSchedule(analysis_settings(), interval=settings.access_review_seconds)
    anchors = AnchorStore(settings)
    anchoring = AnchorSchedule(anchors, interval=settings.audit_anchor_seconds)

    async def start(kit: ServiceKit) -> None:
        await login_sync.start(kit)
        await realm_sync.start(kit)
        await schedule.start(kit)
        await anchoring.start(kit)
        watcher = HealthWatcher(
            kit.db,
            settings.health_targets,
            interval=settings.health_check_seconds,
            timeout=settings.health_timeout_seconds,
            maintenance_url=settings.maintenance_schedule_url,
        )
        await watcher.start(kit)
        sweep = OperationsLogSweep(
            kit.db,
            retention_days=settings.operations_log_retention_days,
            interval=settings.operations_log_sweep_seconds,
        )
        await sweep.start(kit)

    async def close_keycloak(_: ServiceKit) -> None:
        await keycloak.aclose()

    app = create_service_app(
        "identity",
        settings,
        title="tbms identity（利用者・履歴管理）",
        routers=[
            audit_router,
            login_router,
            users_router,
            access_router,
            access_review_router,
            assignments_router,
            rights_review_router,
            review_calendar_router,
            change_log_router,
            operations_log_router,
            help_text_edits_router,
            usage_router,
        ],
        consumers=[*CONSUMERS, *ASSIGNMENT_CONSUMERS],
        on_startup=start,
        on_shutdown=close_keycloak,
    )
    app.state.login_sync, app.state.realm_sync = login_sync, realm_sync
    app.state.keycloak, app.state.anchors = keycloak, anchors
    return app
