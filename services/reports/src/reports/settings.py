"""Settings of the reports service (`TBMS_REPORTS_*`)."""

from functools import lru_cache
from typing import ClassVar

from pydantic import SecretStr
from tbms_core.settings import ServiceSettings, prefix


class Settings(ServiceSettings):
    """Reports service settings: the S3 document store besides the common ones."""

    model_config = prefix("reports")
    service: ClassVar[str] = "reports"
    s3_endpoint: str = "127.0.0.1:59000"
    s3_access_key: str = "tbms-local"
    s3_secret_key: SecretStr = SecretStr("tbms-local-secret")
    s3_bucket: str = "tbms-documents"
    s3_secure: bool = False
    # who signs the letters to other health centres (F27, F30); the ward's own wording is not confirmed
    letter_sender: str = "世田谷区世田谷保健所長"


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
