"""Settings of the identity service (`TBMS_IDENTITY_*`)."""

from functools import lru_cache
from typing import ClassVar

from pydantic import Field, SecretStr
from tbms_core.settings import ServiceSettings, prefix

from identity.access_review.rules import Thresholds
from identity.review_calendar.rules import CalendarSettings
from identity.rights_review.rules import RightsThresholds


class Settings(ServiceSettings):
    """Identity service settings: where Keycloak's admin API is and how often login events are copied."""

    model_config = prefix("identity")
    service: ClassVar[str] = "identity"
    keycloak_url: str = "http://127.0.0.1:58080"
    keycloak_ca_file: str = ""  # the internal CA that signed Keycloak's certificate (https://keycloak:8443 in compose)
    keycloak_realm: str = "tbms"
    # Its own service account in the realm (client credentials): user administration and Keycloak's events only
    # (deploy/keycloak/tbms-realm.json gives it realm-management's view/manage-users, view-events, view-realm).
    keycloak_client_id: str = ""
    keycloak_client_secret: SecretStr = SecretStr("")
    # Without a client: an administrator of the admin realm (password grant), as before the service account.
    keycloak_admin_realm: str = "master"
    keycloak_admin_client_id: str = "admin-cli"
    keycloak_admin_user: SecretStr = SecretStr("admin")
    keycloak_admin_password: SecretStr = SecretStr("admin")
    login_sync_seconds: float = 5.0
    realm_sync_seconds: float = 60.0  # the change log also copies before each answer
    access_review_seconds: float = 3600.0  # how often the unusual-access rules run (0: only when asked)
    access_review_settle_days: int = 2  # recent days analysed again on every run
    access_review_thresholds: Thresholds = Thresholds()  # JSON in TBMS_IDENTITY_ACCESS_REVIEW_THRESHOLDS
    rights_review_thresholds: RightsThresholds = RightsThresholds()  # JSON in TBMS_IDENTITY_RIGHTS_REVIEW_THRESHOLDS
    review_calendar: CalendarSettings = CalendarSettings()  # JSON in TBMS_IDENTITY_REVIEW_CALENDAR
    # The operation history's seal (N05): an HMAC key kept outside the database, and the head copied to an
    # object-locked bucket, so that someone who can rewrite the database still cannot rewrite the history unseen.
    audit_chain_key: SecretStr = SecretStr("tbms-local-audit-chain-key-do-not-use-elsewhere")
    audit_anchor_seconds: float = 3600.0  # how often the chain head is copied outside (0: only when asked)
    audit_anchor_retention_days: int = 3653  # how long an anchor cannot be deleted (compliance mode)
    s3_endpoint: str = "127.0.0.1:59000"
    s3_access_key: str = "tbms-local"
    s3_secret_key: SecretStr = SecretStr("tbms-local-secret")
    s3_anchor_bucket: str = "tbms-audit-anchors"
    s3_secure: bool = False
    s3_ca_file: str = ""  # the internal CA that signed MinIO's certificate (empty: the public CAs, a remote S3)
    # The operations log (N18): components watched (name → health URL, JSON in TBMS_IDENTITY_HEALTH_TARGETS), only
    # changes logged; the gateway's planned stops (its /health/maintenance) logged as they start and end.
    health_targets: dict[str, str] = Field(default_factory=dict)
    health_check_seconds: float = 30.0  # 0: no watching
    health_timeout_seconds: float = 5.0
    maintenance_schedule_url: str = ""
    operations_log_retention_days: float = 1096.0  # three years (N18); a shorter one is refused
    operations_log_sweep_seconds: float = 3600.0  # how often entries past the retention are deleted (0: never)


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
