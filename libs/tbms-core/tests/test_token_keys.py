"""Access tokens are verified against the issuer's keys (JWKS), fetched again when old or when a token names an
unknown key. A known key stays in use while Keycloak cannot be asked (a restart, a slow moment under load): before,
every request of every user was refused with 401 until Keycloak answered again. Keycloak's side is a recorded JWKS
(its outage cannot be staged on the shared one)."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa
from tbms_core.auth import TokenVerifier
from tbms_core.errors import NotAuthenticated

ISSUER = "http://keycloak.test/realms/tbms"
CERTS = f"{ISSUER}/protocol/openid-connect/certs"


def signing_key(kid: str) -> tuple[rsa.RSAPrivateKey, dict]:  # type: ignore[type-arg]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return key, public | {"kid": kid, "use": "sig", "alg": "RS256"}


def token(key: rsa.RSAPrivateKey, kid: str) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "tbms", "sub": "user-1", "iat": now, "exp": now + 300}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.mark.req("N07", partial=True)
async def test_a_known_key_stays_in_use_while_keycloak_cannot_be_asked_and_an_unknown_one_is_refused() -> None:
    key, jwk = signing_key("k1")
    verifier = TokenVerifier(ISSUER, "tbms", refresh_seconds=0)  # every request finds the keys old
    with respx.mock(assert_all_called=False) as keycloak:
        route = keycloak.get(CERTS).mock(return_value=httpx.Response(200, json={"keys": [jwk]}))
        assert (await verifier.verify(token(key, "k1")))["sub"] == "user-1"
        route.mock(side_effect=httpx.ConnectError("keycloak is restarting"))
        assert (await verifier.verify(token(key, "k1")))["sub"] == "user-1", "the known key still verifies"
        other, _ = signing_key("k2")
        with pytest.raises(NotAuthenticated):
            await verifier.verify(token(other, "k2"))  # unknown and not to be fetched: refused, never trusted
        route.mock(return_value=httpx.Response(503))
        forged = token(other, "k1")  # a known key id does not make a token signed with another key valid
        with pytest.raises(NotAuthenticated):
            await verifier.verify(forged)
