"""Settings of the gateway (`TBMS_GATEWAY_*`)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode
from tbms_core.settings import LOCAL, PG_LOCAL, AppSettings, InsecureDefault, prefix

DEFAULT_LOGIN_BANNER = (
    "このシステムは、結核患者等の個人情報を取り扱う業務専用のシステムです。"
    "許可された職員が、業務上必要な範囲でのみ利用できます。"
    "ログインID・パスワード・ワンタイムパスワードの共有や貸し借りは禁止です。"
    "すべての操作は利用者・日時・端末とともに記録され、個人情報保護条例等に基づき監査されます。"
    "離席するときはログアウトしてください。"
)
Network = IPv4Network | IPv6Network


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
    # Administrators (update on users or audit) get shorter sessions (N03).
    admin_session_idle_minutes: int = 15
    admin_session_max_hours: int = 2
    # The browser warns this long before the idle timeout and offers to extend the session (N04).
    idle_warning_minutes: int = 2
    login_wait_minutes: int = 10
    # Where sessions and the edited texts live: "postgres" (the gateway's own database, shared by every gateway
    # process, so a login survives a restart and any process serves any user) or "memory" (this process only:
    # single-process tests).
    session_store: str = Field(default="postgres", pattern="^(postgres|memory)$")
    database_url: str = ""
    db_pool_size: int = 5
    # How many reverse proxies in front of the gateway append to X-Forwarded-For (0: none, the peer address is the
    # user's). The user's address is the entry the outermost trusted proxy appended, counted from the right:
    # whatever a client wrote to the left of it is ignored, so the allowlist and the audit cannot be fooled.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    # Client networks allowed to use the gateway, comma-separated CIDR (R35); empty allows every address.
    allowed_networks: Annotated[tuple[Network, ...], NoDecode] = ()
    # 利用上の注意 shown before login (N04), and on the home page after login unless turned off.
    login_banner: str = DEFAULT_LOGIN_BANNER
    login_banner_after_login: bool = True
    backup_status_url: str = ""  # `tbms backup serve`'s /status, shown on 運用状況 (empty: not watched here)
    maintenance_mode: bool = False  # every page but login and help answers 保守のため停止しています (N07)
    maintenance_notice_days: int = 7  # a planned stop is announced on every page from this many days before (N07)
    # When on, pages send a stranger to the banner page (/welcome) first instead of straight to Keycloak.
    login_banner_before_login: bool = False
    backend_timeout_seconds: float = 10.0
    # 外字 (N26): warn (accept and show what outputs make of it), refuse, or substitute (a JSON file of
    # {"character": "substitute"} the health center registers); the input forms say which applies.
    gaiji_mode: str = Field(default="warn", pattern="^(warn|refuse|substitute)$")
    gaiji_substitutes_file: str = ""
    # 郵便番号 → 住所: a CSV of "postal code,address" lines (the one shipped with the gateway when empty);
    # scripts/update_postal_codes.py makes it from Japan Post's KEN_ALL.CSV.
    postal_code_file: str = ""
    # Help texts, notices, the FAQ and planned stops administrators edit (N25) are versions in the gateway's database
    # (in memory with session_store=memory); each process reloads them when older than this many seconds.
    help_texts_max_age_seconds: float = Field(default=2.0, ge=0, le=300)
    # 修正理由 (R21): when the correction of registration facts (基本情報) is expected to give a reason: "always",
    # "registration" (when 登録日・登録区分・生年月日・氏名 change) or "never". The form says so; it stays optional.
    correction_reason_expected: str = Field(default="registration", pattern="^(always|registration|never)$")
    patients_url: str = "http://127.0.0.1:8001"
    contacts_url: str = "http://127.0.0.1:8002"
    reports_url: str = "http://127.0.0.1:8003"
    search_url: str = "http://127.0.0.1:8004"
    identity_url: str = "http://127.0.0.1:8005"
    masters_url: str = "http://127.0.0.1:8006"
    workflow_url: str = "http://127.0.0.1:8007"

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        """Reads "10.0.0.0/8, 192.168.1.0/24" (or a list) into networks; a host address is a /32 or /128."""
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return tuple(ip_network(str(part).strip(), strict=False) for part in value)
        return value

    @model_validator(mode="after")
    def _fill_database(self) -> Settings:
        if not self.database_url:
            if self.environment != LOCAL:
                raise InsecureDefault("TBMS_GATEWAY_DATABASE_URL must be set outside local")
            self.database_url = f"{PG_LOCAL}/tbms_gateway"
        if self.session_store != "postgres" and self.environment != LOCAL:
            raise InsecureDefault("TBMS_GATEWAY_SESSION_STORE must be postgres outside local")
        return self

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
