"""Settings refuse local-development secrets and databases outside local development."""

from typing import ClassVar

import pytest
from pydantic import SecretStr, ValidationError
from tbms_core.settings import AppSettings, ServiceSettings, prefix


class ExampleSettings(ServiceSettings):
    """A service with one secret."""

    model_config = prefix("example")
    service: ClassVar[str] = "example"
    api_key: SecretStr = SecretStr("local-only")


class TestServiceSettings:
    """ServiceSettings."""

    def test_local_fills_in_the_services_own_database(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("TBMS_EXAMPLE_DATABASE_URL", raising=False)
        assert ExampleSettings().database_url.endswith("/tbms_example")

    @pytest.mark.req("N09", partial=True)
    def test_production_refuses_the_local_secret(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TBMS_EXAMPLE_ENVIRONMENT", "production")
        monkeypatch.setenv("TBMS_EXAMPLE_DATABASE_URL", "postgresql+asyncpg://db/tbms_example")
        with pytest.raises(ValidationError, match="TBMS_EXAMPLE_API_KEY"):
            ExampleSettings()

    def test_production_refuses_a_missing_database(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TBMS_EXAMPLE_ENVIRONMENT", "production")
        monkeypatch.setenv("TBMS_EXAMPLE_API_KEY", "a-real-secret")
        monkeypatch.delenv("TBMS_EXAMPLE_DATABASE_URL", raising=False)
        with pytest.raises(ValidationError, match="DATABASE_URL"):
            ExampleSettings()

    def test_production_accepts_real_values(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TBMS_EXAMPLE_ENVIRONMENT", "production")
        monkeypatch.setenv("TBMS_EXAMPLE_API_KEY", "a-real-secret")
        monkeypatch.setenv("TBMS_EXAMPLE_DATABASE_URL", "postgresql+asyncpg://db/tbms_example")
        settings = ExampleSettings()
        assert not settings.is_local and settings.api_key.get_secret_value() == "a-real-secret"

    def test_app_settings_need_no_database(self) -> None:
        assert "database_url" not in AppSettings.model_fields
