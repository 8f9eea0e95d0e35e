"""Dependencies shared by the identity routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from identity.keycloak import KeycloakAdmin


def get_keycloak(request: Request) -> KeycloakAdmin:
    """The service's Keycloak admin client."""
    return request.app.state.keycloak


KeycloakDep = Annotated[KeycloakAdmin, Depends(get_keycloak)]
