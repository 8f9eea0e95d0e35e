"""Per-area access levels from Keycloak roles, refused in Japanese (R32)."""

import pytest
from tbms_core.auth import Access, Area, Principal, display_name, levels_from_roles
from tbms_core.errors import AccessDenied


def principal(*roles: str) -> Principal:
    """A user holding the given realm roles."""
    return Principal(user_id="u1", username="nurse9", display_name="試験 花子", roles=frozenset(roles))


class TestLevels:
    """levels_from_roles and Principal.require."""

    def test_update_implies_read_and_absent_means_no_access(self) -> None:
        levels = levels_from_roles(frozenset({"patients:update", "contacts:read"}))
        assert levels[Area.PATIENTS] is Access.UPDATE
        assert levels[Area.CONTACTS] is Access.READ
        assert levels[Area.AUDIT] is Access.NONE

    @pytest.mark.req("R32")
    @pytest.mark.parametrize("area", list(Area))
    def test_read_only_user_can_read_but_not_update_any_area(self, area: Area) -> None:
        user = principal(f"{area}:read")
        user.require(area, Access.READ)
        with pytest.raises(AccessDenied) as refused:
            user.require(area, Access.UPDATE)
        assert refused.value.message == f"「{area.label}」の更新権限がありません。管理者に確認してください。"

    @pytest.mark.req("R32")
    @pytest.mark.parametrize("area", list(Area))
    def test_user_without_the_area_cannot_read_it(self, area: Area) -> None:
        with pytest.raises(AccessDenied, match="参照権限"):
            principal().require(area, Access.READ)


class TestClaims:
    """Principal.from_claims."""

    def test_names_are_family_name_first_and_session_is_kept(self) -> None:
        claims = {
            "sub": "u1",
            "preferred_username": "nurse1",
            "name": "花子 試験",
            "family_name": "試験",
            "given_name": "花子",
            "sid": "s-1",
            "realm_access": {"roles": ["patients:read"]},
        }
        user = Principal.from_claims(claims, client_ip="10.0.0.8")
        assert user.display_name == "試験 花子" and user.session_id == "s-1"
        assert user.can(Area.PATIENTS, Access.READ) and user.client_ip == "10.0.0.8"

    def test_falls_back_to_the_username(self) -> None:
        assert display_name({"preferred_username": "clerk1"}) == "clerk1"


@pytest.mark.req("R35")
def test_a_service_takes_the_terminal_address_the_gateway_appended_not_one_a_client_wrote() -> None:
    from starlette.requests import Request
    from tbms_core.auth import client_ip

    def request(forwarded: str | None) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
        return Request({"type": "http", "headers": headers, "client": ("10.0.0.2", 5000)})

    assert client_ip(request("10.20.3.4")) == "10.20.3.4"
    assert client_ip(request("10.20.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request(None)) == "10.0.0.2"
