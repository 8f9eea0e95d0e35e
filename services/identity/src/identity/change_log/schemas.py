"""What the change log answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class StartRead(BaseModel):
    """A service start and what changed since the service's previous start."""

    started_at: datetime
    service: str
    environment: str
    version: str
    commit: str
    migration: str
    host: str
    started_by: str
    changes: list[str]  # 初回起動, 版の変更 a → b, マイグレーション a → b, 設定の変更; empty: a restart


class ConfigurationChange(BaseModel):
    """A change of masters, form fields, access levels or accounts, from the operation history."""

    occurred_at: datetime
    username: str
    service: str
    operation: str
    record_type: str
    record_id: str | None
    detail: str | None


class RealmChangeRead(BaseModel):
    """A change of the login realm (Keycloak's admin event): who changed what, and which fields were sent."""

    time: datetime
    operation: str
    resource_type: str
    resource_path: str
    admin_username: str
    ip_address: str
    fields: list[str]
    error: str
    description: str  # 利用者の更新, グループの作成 …


class ChangeLog(BaseModel):
    """Deployments and configuration changes of a period."""

    starts: list[StartRead]
    configuration: list[ConfigurationChange]
    realm: list[RealmChangeRead]
