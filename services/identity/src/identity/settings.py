"""Settings of the identity service (`TBMS_IDENTITY_*`)."""

from functools import lru_cache
from typing import ClassVar

from pydantic import SecretStr
from tbms_core.settings import ServiceSettings, prefix


class Settings(ServiceSettings):
    """Identity service settings: where Keycloak's admin API is and how often login events are copied."""

    model_config = prefix("identity")
    service: ClassVar[str] = "identity"
    keycloak_url: str = "http://127.0.0.1:58080"
    keycloak_realm: str = "tbms"
    keycloak_admin_realm: str = "master"
    keycloak_admin_client_id: str = "admin-cli"
    keycloak_admin_user: SecretStr = SecretStr("admin")
    keycloak_admin_password: SecretStr = SecretStr("admin")
    login_sync_seconds: float = 5.0


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
