"""PKCE as RFC 7636 defines it: S256 challenges of long random verifiers (N09)."""

from __future__ import annotations

import pytest
from gateway.web.oidc import code_challenge, code_verifier


@pytest.mark.req("N09", partial=True)
class TestPkce:
    def test_challenge_is_s256_of_the_verifier_as_rfc_7636_shows(self) -> None:
        verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    def test_verifiers_are_long_random_and_url_safe(self) -> None:
        verifiers = {code_verifier() for _ in range(20)}
        assert len(verifiers) == 20
        assert all(43 <= len(v) <= 128 and v.replace("-", "").replace("_", "").isalnum() for v in verifiers)
