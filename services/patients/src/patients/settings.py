"""Settings of the patients service (`TBMS_PATIENTS_*`)."""

from functools import lru_cache
from typing import Any, ClassVar

from pydantic import Field
from tbms_core.settings import ServiceSettings, prefix


class Settings(ServiceSettings):
    """Patients service settings."""

    model_config = prefix("patients")
    service: ClassVar[str] = "patients"
    registration_no_format: str = "{year}-{seq:05d}"
    # 管理検診 schedules replacing the defaults of followup/config.py, e.g. {"standard": {"months": [6, 12, 18, 24]}}
    followup_profiles: dict[str, Any] = Field(default_factory=dict)
    # 行動調査: months counted back from the cough onset, and for a smear-negative case ([U] the center's figure)
    infectious_lookback_months: int = 3
    infectious_smear_negative_months: int = 1
    # 行動調査票: items a health center adds to the default list ({"key": "label"})
    investigation_extra_items: dict[str, str] = Field(default_factory=dict)
    # 診査会 (TB_PRACTICE §4): a TB 20条 入院勧告 and each extension run 30 days in practice; the 政令 text is
    # unconfirmed, so the number is configuration and the screens show its basis.
    board_admission_days: int = 30
    board_extension_days: int = 30
    board_card_notice_days: int = 30  # 患者票 expiring within this many days is an alert
    # 外字 (N26): the health center's policy for characters an output cannot carry (warn: 〓 in the output;
    # substitute: the substitute masters' 外字 master has in force, else the one of the JSON file
    # {"character": "substitute"}); the same as the gateway's
    gaiji_mode: str = Field(default="warn", pattern="^(warn|refuse|substitute)$")
    gaiji_substitutes_file: str = ""
    # Retention (N17): years a registration record is kept after 登録除外 before it may be deleted; 施行規則27条の8
    # 第3項 says 2 (TB_PRACTICE §1.1), a health center's 文書管理規程 may say more, never less
    retention_years: int = Field(default=2, ge=2, le=30)
    retention_sweep_seconds: float = 3600.0  # how often the daily due list is looked at (0: never)


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
