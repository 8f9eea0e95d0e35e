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


class ExampleWithAccounts(ServiceSettings):
    """A service that logs in to other systems as named accounts."""

    model_config = prefix("example")
    service: ClassVar[str] = "example"
    keycloak_admin_user: str = "kc-operator"
    s3_access_key: str = "store-writer"


class TestDefaultAccountNames:
    """Production refuses accounts named like a default or a development account (N28)."""

    @pytest.fixture(autouse=True)
    def production(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TBMS_EXAMPLE_ENVIRONMENT", "production")
        monkeypatch.setenv("TBMS_EXAMPLE_DATABASE_URL", "postgresql+asyncpg://db/tbms_example")

    @pytest.mark.req("N28", partial=True)
    @pytest.mark.parametrize(
        ("variable", "name"),
        [
            ("TBMS_EXAMPLE_KEYCLOAK_ADMIN_USER", "Administrator"),
            ("TBMS_EXAMPLE_KEYCLOAK_ADMIN_USER", "nurse1"),
            ("TBMS_EXAMPLE_S3_ACCESS_KEY", "minioadmin"),
            ("TBMS_EXAMPLE_S3_ACCESS_KEY", " root "),
        ],
    )
    def test_a_default_or_development_name_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, variable: str, name: str
    ) -> None:
        monkeypatch.setenv(variable, name)
        with pytest.raises(ValidationError, match=f"{variable} is a default or development account name"):
            ExampleWithAccounts()

    def test_names_after_a_purpose_are_accepted(self) -> None:
        settings = ExampleWithAccounts()
        assert (settings.keycloak_admin_user, settings.s3_access_key) == (
            "kc-operator",
            "store-writer",
        )

    def test_local_development_keeps_its_default_names(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TBMS_EXAMPLE_ENVIRONMENT", "local")
        monkeypatch.setenv("TBMS_EXAMPLE_S3_ACCESS_KEY", "minioadmin")
        assert ExampleWithAccounts().s3_access_key == "minioadmin"
