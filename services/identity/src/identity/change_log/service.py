"""The change log (N28): every start of every service with what changed since its previous start, and the
configuration changes of the operation history, for administrators."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import DeploymentRecorded, Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.events import Envelope

from identity.change_log.models import RealmChange, ServiceStart
from identity.change_log.realm_sync import RealmSync
from identity.change_log.repository import ChangeLogRepository
from identity.change_log.schemas import ChangeLog, ConfigurationChange, RealmChangeRead, StartRead

SERVICE = "identity"
log = logging.getLogger(__name__)


async def store_start(session: AsyncSession, envelope: Envelope) -> None:
    """Keeps one DeploymentRecorded (from the audit stream)."""
    event = DeploymentRecorded.model_validate(envelope.payload)
    await ChangeLogRepository(session).add_start({"event_id": envelope.event_id, **event.model_dump()})


def what_changed(start: ServiceStart, before: ServiceStart | None) -> list[str]:
    """What differs from the service's previous start, in words."""
    if before is None:
        return ["初回起動"]
    changes = []
    if start.version != before.version or start.commit != before.commit:
        changes.append(f"版の変更 {before.version} → {start.version}")
    if start.migration != before.migration:
        changes.append(f"マイグレーション {before.migration or 'なし'} → {start.migration or 'なし'}")
    if start.settings_digest != before.settings_digest:
        changes.append("設定の変更")
    return changes


REALM_RESOURCES = {
    "USER": "利用者",
    "GROUP": "グループ",
    "GROUP_MEMBERSHIP": "グループ所属",
    "REALM_ROLE": "ロール",
    "REALM_ROLE_MAPPING": "ロールの割当",
    "CLIENT": "クライアント",
    "CLIENT_ROLE": "クライアントロール",
    "CLIENT_ROLE_MAPPING": "クライアントロールの割当",
    "CLIENT_SCOPE": "クライアントスコープ",
    "REALM": "レルム",
    "AUTH_FLOW": "認証フロー",
    "AUTH_EXECUTION": "認証の手順",
    "AUTHENTICATOR_CONFIG": "認証の設定",
    "REQUIRED_ACTION": "必須アクション",
    "IDENTITY_PROVIDER": "外部IdP",
    "USER_LOGIN_FAILURE": "ログイン失敗の記録",
    "USER_SESSION": "セッション",
    "COMPONENT": "コンポーネント（鍵・利用者連携）",
}
REALM_OPERATIONS = {"CREATE": "作成", "UPDATE": "更新", "DELETE": "削除", "ACTION": "操作"}


def describe(change: RealmChange) -> str:
    """A realm change in words: 利用者の更新, グループの作成 …; a password reset is named as such."""
    what = REALM_RESOURCES.get(change.resource_type, change.resource_type)
    if change.resource_path.endswith("/reset-password"):
        return f"{what}のパスワード再設定"
    if change.resource_type == "USER_LOGIN_FAILURE" and change.operation == "DELETE":
        return "ログインのロックの解除"
    return f"{what}の{REALM_OPERATIONS.get(change.operation, change.operation)}"


class ChangeLogService:
    """Reads the change log; reading it is recorded."""

    def __init__(self, session: AsyncSession, principal: Principal, realm_sync: RealmSync) -> None:
        self.session, self.principal, self.realm_sync = session, principal, realm_sync
        self.repo = ChangeLogRepository(session)

    async def read(self, since: datetime | None, until: datetime | None, service: str | None, limit: int) -> ChangeLog:
        """Starts with their changes, configuration changes and realm changes, newest first."""
        self.principal.require(Area.AUDIT, Access.READ)
        await self.realm_sync.refresh(self.session)
        starts = []
        for row in await self.repo.starts(since, until, service, limit):
            before = await self.repo.previous(row.service, row.started_at, row.event_id)
            starts.append(
                StartRead(
                    started_at=row.started_at,
                    service=row.service,
                    environment=row.environment,
                    version=row.version,
                    commit=row.commit,
                    migration=row.migration,
                    host=row.host,
                    started_by=row.started_by,
                    changes=what_changed(row, before),
                )
            )
        configuration = [
            ConfigurationChange.model_validate(row, from_attributes=True)
            for row in await self.repo.configuration_changes(since, until, limit)
        ]
        realm = [
            RealmChangeRead(
                description=describe(row),
                **{name: getattr(row, name) for name in RealmChangeRead.model_fields if name != "description"},
            )
            for row in await self.repo.realm_changes(since, until, limit)
        ]
        await audit.record(self.session, self.principal, SERVICE, Operation.READ, record_type="change_log")
        return ChangeLog(starts=starts, configuration=configuration, realm=realm)
