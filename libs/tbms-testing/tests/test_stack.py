"""Fixtures learn the local stack from the `tbms` command, not by importing the tools."""

from __future__ import annotations

import pytest
from tbms_testing import stack
from tbms_testing.keycloak import local_realm


class TestServiceEnv:
    def test_a_service_gets_only_its_own_variables_as_the_conventions_name_them(self) -> None:
        env = stack.service_env("patients")
        assert env["TBMS_PATIENTS_DATABASE_URL"] == "postgresql+asyncpg://tbms@127.0.0.1:55432/tbms_patients"
        assert env["TBMS_PATIENTS_NATS_URL"] == "nats://patients:tbms-local-nats-patients@127.0.0.1:54222"
        assert all(key.startswith("TBMS_PATIENTS_") for key in env)

    def test_each_call_gets_its_own_copy_to_change(self) -> None:
        stack.service_env("masters")["TBMS_MASTERS_DATABASE_URL"] = "changed"
        assert stack.service_env("masters")["TBMS_MASTERS_DATABASE_URL"].endswith("/tbms_masters")

    def test_an_unknown_service_is_refused(self) -> None:
        with pytest.raises(stack.StackUnavailable, match="no service 'nosuch'"):
            stack.service_env("nosuch")


def test_a_failing_command_is_raised_with_its_output() -> None:
    with pytest.raises(stack.StackUnavailable, match="exit status 2") as raised:
        stack.tbms("stack", "no-such-action")
    assert "invalid choice" in str(raised.value)


def test_the_realm_is_the_one_the_gateway_and_identity_are_configured_for() -> None:
    realm = local_realm()
    assert realm.issuer == "http://127.0.0.1:58080/realms/tbms"
    assert (realm.client_id, realm.admin_user) == ("tbms-gateway", "admin")
