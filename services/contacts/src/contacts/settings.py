"""Settings of the contacts service (`TBMS_CONTACTS_*`), including the numbers of the screening rules."""

from functools import lru_cache
from typing import ClassVar

from pydantic import Field
from tbms_core.settings import ServiceSettings, prefix

from contacts.contact.rules import ScreeningRules

_DEFAULT = ScreeningRules()


class Settings(ServiceSettings):
    """Contacts service settings; the screening numbers default to the sources named in contact.rules."""

    model_config = prefix("contacts")
    service: ClassVar[str] = "contacts"

    igra_weeks: int = _DEFAULT.igra_weeks
    tst_age_under: int = _DEFAULT.tst_age_under
    infant_age_under: int = _DEFAULT.infant_age_under
    close_contact_hours: float = _DEFAULT.close_contact_hours
    high_risk_factors: tuple[str, ...] = tuple(sorted(_DEFAULT.high_risk_factors))
    close_settings: tuple[str, ...] = tuple(sorted(_DEFAULT.close_settings))
    xray_months: tuple[int, ...] = _DEFAULT.xray_months
    # {検査の種類 code: igra | tst | xray | sputum}; a code of the コード表 not named here has the default rule
    exam_rules: dict[str, str] = Field(default_factory=lambda: dict(_DEFAULT.exam_rules))
    xray_months_high: tuple[int, ...] = _DEFAULT.xray_months_high
    # A screening examination recorded as done without its result becomes a to-do this many days after it was
    # done ([U]: no national figure; IGRA results come back within about a week, so two weeks is the default).
    screening_result_days: int = 14
    # 外字 (N26): the health center's policy for characters the screening list's CP932 CSV cannot carry (warn:
    # 〓 once the user accepts it; substitute: the substitute masters' 外字 master has in force, else the one of
    # the JSON file {"character": "substitute"}); the same as the gateway's
    gaiji_mode: str = Field(default="warn", pattern="^(warn|refuse|substitute)$")
    gaiji_substitutes_file: str = ""

    def screening_rules(self) -> ScreeningRules:
        """The rules with this health center's numbers."""
        return ScreeningRules(
            igra_weeks=self.igra_weeks,
            tst_age_under=self.tst_age_under,
            infant_age_under=self.infant_age_under,
            close_contact_hours=self.close_contact_hours,
            high_risk_factors=frozenset(self.high_risk_factors),
            close_settings=frozenset(self.close_settings),
            xray_months=tuple(self.xray_months),
            exam_rules=dict(self.exam_rules),
            xray_months_high=tuple(self.xray_months_high),
        )


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
