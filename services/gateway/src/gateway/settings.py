"""Settings of the gateway (`TBMS_GATEWAY_*`)."""

from functools import lru_cache
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import SecretStr
from tbms_core.settings import AppSettings, prefix


class Settings(AppSettings):
    """Gateway settings: where Keycloak and the back-end services are, and how sessions behave."""

    model_config = prefix("gateway")
    service: ClassVar[str] = "gateway"

    public_url: str = "http://127.0.0.1:8000"
    oidc_client_id: str = "tbms-gateway"
    oidc_secret: SecretStr = SecretStr("tbms-gateway-local-secret")
    session_secret: SecretStr = SecretStr("tbms-local-only-session-secret-do-not-use-elsewhere")
    session_idle_minutes: int = 30
    session_max_hours: int = 10
    login_wait_minutes: int = 10
    # Only behind a reverse proxy that sets X-Forwarded-For may the gateway believe it.
    trust_forwarded_for: bool = False
    backend_timeout_seconds: float = 10.0
    patients_url: str = "http://127.0.0.1:8001"
    contacts_url: str = "http://127.0.0.1:8002"
    reports_url: str = "http://127.0.0.1:8003"
    search_url: str = "http://127.0.0.1:8004"
    identity_url: str = "http://127.0.0.1:8005"
    masters_url: str = "http://127.0.0.1:8006"

    @property
    def secure_cookies(self) -> bool:
        """True when users reach the gateway over HTTPS, so cookies must be Secure."""
        return urlsplit(self.public_url).scheme == "https"

    @property
    def callback_url(self) -> str:
        """Where Keycloak sends the browser back after login."""
        return f"{self.public_url.rstrip('/')}/auth/callback"

    @property
    def logged_out_url(self) -> str:
        """Where Keycloak sends the browser after ending its session."""
        return f"{self.public_url.rstrip('/')}/logged-out"


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
