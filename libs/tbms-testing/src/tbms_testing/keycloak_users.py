"""Test accounts with exact per-area access levels (R32) in the local realm, logged in with password and TOTP."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pyotp
from tbms_core.auth import Access, Area

from tbms_testing.keycloak import DEMO_PASSWORD, admin_token, local_realm

PREFIX = "acl-"  # every account made here; `acl-nothing` holds no role at all
ROLE_LEVEL = {Access.UPDATE: "update", Access.READ: "read"}
TOTP_DATA = {"subType": "totp", "digits": 6, "counter": 0, "period": 30, "algorithm": "HmacSHA1"}


@dataclass(frozen=True)
class AccessUser:
    """A staff account holding exactly these levels; every other area is 使用不可, no group."""

    levels: tuple[tuple[Area, Access], ...]

    @classmethod
    def of(cls, levels: Mapping[Area, Access]) -> AccessUser:
        """The account with these levels (使用不可 entries are dropped; the order of areas is DESIGN §4's)."""
        return cls(tuple((area, levels[area]) for area in Area if levels.get(area, Access.NONE) > Access.NONE))

    @property
    def username(self) -> str:
        """A name that spells the levels, e.g. `acl-forms-read_patients-update`, so one role set is one account."""
        return PREFIX + ("_".join(f"{area}-{ROLE_LEVEL[level]}" for area, level in self.levels) or "nothing")

    @property
    def roles(self) -> list[str]:
        """The realm roles (`<area>:<level>`) the account holds."""
        return [f"{area}:{ROLE_LEVEL[level]}" for area, level in self.levels]

    @property
    def totp_secret(self) -> str:
        """The Base32 TOTP secret, derived from the name so every run provisions the same one."""
        digest = hashlib.sha256(f"tbms-access-test:{self.username}".encode()).digest()
        return base64.b32encode(digest[:20]).decode()

    def description(self) -> str:
        """The levels in Japanese, e.g. `患者管理:更新・帳票:参照`."""
        return "・".join(f"{area.label}:{level.label}" for area, level in self.levels) or "権限なし"

    def representation(self) -> dict:  # type: ignore[type-arg]
        """The Keycloak user, with a password and an enrolled TOTP device, ready to log in."""
        return {
            "username": self.username,
            "enabled": True,
            "email": f"{self.username}@example.test",
            "emailVerified": True,
            "lastName": "権限試験",
            "firstName": self.description().replace(":", ""),
            "attributes": {"locale": ["ja"], "job_title": ["権限の自動試験用"]},
            "realmRoles": self.roles,
            "requiredActions": [],
            "credentials": [
                {"type": "password", "value": DEMO_PASSWORD, "temporary": False},
                {
                    "type": "otp",
                    "userLabel": "access-test",
                    "secretData": json.dumps({"value": self.totp_secret}),
                    "credentialData": json.dumps({**TOTP_DATA, "secretEncoding": "BASE32"}),
                },
            ],
        }

    def log_in(self) -> str:
        """A real access token (password + TOTP) of a freshly provisioned account.

        Keycloak refuses a TOTP code used before with the same device, and `provision` enrols a new device,
        so the current code is unused unless a parallel run provisioned the account in between: then the
        next step's code (Keycloak accepts one step ahead) is.
        """
        realm, now = local_realm(), time.time()
        for moment in (now, now + 30):
            response = httpx.post(
                f"{realm.issuer}/protocol/openid-connect/token",
                data={
                    "grant_type": "password",
                    "client_id": realm.client_id,
                    "client_secret": realm.client_secret,
                    "username": self.username,
                    "password": DEMO_PASSWORD,
                    "totp": pyotp.TOTP(self.totp_secret).at(moment),
                    "scope": "openid",
                },
                timeout=20,
            )
            if response.status_code != 400:
                break
        return response.raise_for_status().json()["access_token"]


def provision(users: Iterable[AccessUser]) -> None:
    """Creates or re-creates the accounts in one partial import, so their roles and credentials are exact."""
    body = {"ifResourceExists": "OVERWRITE", "users": [user.representation() for user in set(users)]}
    headers = {"Authorization": f"Bearer {admin_token()}"}
    realm = local_realm()
    url = f"{realm.url}/admin/realms/{realm.realm}/partialImport"
    httpx.post(url, json=body, headers=headers, timeout=120).raise_for_status()


def log_in_all(users: Iterable[AccessUser], *, parallel: int = 4) -> dict[AccessUser, str]:
    """Provisions the accounts and logs each in once, a few at a time; returns their access tokens."""
    distinct = sorted(set(users), key=lambda user: user.username)
    provision(distinct)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return dict(zip(distinct, pool.map(AccessUser.log_in, distinct), strict=True))
