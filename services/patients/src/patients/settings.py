"""Settings of the patients service (`TBMS_PATIENTS_*`)."""

from functools import lru_cache
from typing import ClassVar

from tbms_core.settings import ServiceSettings, prefix


class Settings(ServiceSettings):
    """Patients service settings."""

    model_config = prefix("patients")
    service: ClassVar[str] = "patients"
    registration_no_format: str = "{year}-{seq:05d}"
    # 診査会 (TB_PRACTICE §4): a TB 20条 入院勧告 and each extension run 30 days in practice; the 政令 text is
    # unconfirmed, so the number is configuration and the screens show its basis.
    board_admission_days: int = 30
    board_extension_days: int = 30
    board_card_notice_days: int = 30  # 患者票 expiring within this many days is an alert


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
