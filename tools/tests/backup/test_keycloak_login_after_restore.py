"""A user logs in with their password and TOTP code on a Keycloak restored from a backup (R31: "users able to log
in with their TOTP"). A scratch Keycloak (a copy of the local distribution, its own H2 store) gets a realm with a
synthetic user holding a password and a TOTP credential; it is stopped, `tbms backup` takes its store, the store is
wiped, `tbms restore` puts it into a new copy of the distribution (a new machine), and that Keycloak answers a
password + TOTP login with a token (and refuses a wrong code). Nothing of the running stack's Keycloak is touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pyotp
import pytest
from tbms_testing.scratch import free_port
from tbms_tools import config
from tbms_tools.backup import backup, manifest, restore
from tbms_tools.backup.settings import S3, BackupSettings
from tbms_tools.components import java_home

pytestmark = pytest.mark.req("R31", partial=True)
REALM, CLIENT, USER, PASSWORD = "tbms-drill", "drill-login", "drill-nurse", "Drill-Pass-2026!"
ADMIN = ("scratch-admin", "scratch-admin-pw")


class Keycloak:
    """A Keycloak started from a distribution folder (its H2 store in data/h2), stopped on `stop()`."""

    def __init__(self, home: Path) -> None:
        self.home, self.port, management = home, free_port(), free_port()
        env = {**os.environ, "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN[0], "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN[1]}
        env["KC_HEALTH_ENABLED"] = "true"
        if java := java_home():
            env["JAVA_HOME"] = java
        argv = [str(home / "bin" / "kc.sh"), "start-dev", "--db=dev-file", "--http-host=127.0.0.1"]
        argv += [f"--http-port={self.port}", f"--http-management-port={management}", "--hostname-strict=false"]
        self.log = (home / "scratch.log").open("wb")
        self.process = subprocess.Popen(argv, env=env, cwd=home, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Keycloak ended: {(home / 'scratch.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{management}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(1)
        self.stop()
        pytest.fail("Keycloak was not ready within 300 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stops it (its H2 store closed and complete, as a backup of a stopped store expects)."""
        self.process.terminate()
        self.process.wait(timeout=90)
        self.log.close()

    def login(self, code: str) -> httpx.Response:
        """The password grant with the TOTP code, as tbms_testing logs the demo users in."""
        data = {"grant_type": "password", "client_id": CLIENT, "username": USER, "password": PASSWORD, "totp": code}
        data["scope"] = "openid"
        return httpx.post(f"{self.url}/realms/{REALM}/protocol/openid-connect/token", data=data, timeout=30)


def _copy_distribution(where: Path) -> Path:
    home = config.keycloak_home()
    if not (home / "bin" / "kc.sh").is_file():
        pytest.fail("Keycloak not found (run scripts/bootstrap.sh)")
    shutil.copytree(home, where, ignore=shutil.ignore_patterns("h2", "import", "tmp", "*.log"))
    return where


def _create_realm(keycloak: Keycloak, totp_secret: str) -> None:
    """A realm with one public client (password grant) and one synthetic user with a password and a TOTP."""
    token = httpx.post(
        f"{keycloak.url}/realms/master/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "admin-cli", "username": ADMIN[0], "password": ADMIN[1]},
        timeout=30,
    )
    token.raise_for_status()
    otp = {
        "type": "otp",
        "secretData": json.dumps({"value": totp_secret}),
        "credentialData": json.dumps(
            {
                "subType": "totp",
                "digits": 6,
                "counter": 0,
                "period": 30,
                "algorithm": "HmacSHA1",
                "secretEncoding": "BASE32",
            }
        ),
    }
    realm = {
        "realm": REALM,
        "enabled": True,
        "clients": [{"clientId": CLIENT, "publicClient": True, "directAccessGrantsEnabled": True}],
        "users": [
            {
                "username": USER,
                "enabled": True,
                "firstName": "花子",
                "lastName": "訓練",
                "email": "drill-nurse@example.test",
                "emailVerified": True,
                "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}, otp],
            }
        ],
    }
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    httpx.post(f"{keycloak.url}/admin/realms", json=realm, headers=headers, timeout=60).raise_for_status()


@pytest.mark.timeout(900)  # two Keycloak starts: about 3 minutes each on two busy cores
async def test_a_user_logs_in_with_password_and_totp_on_the_restored_keycloak(tmp_path: Path) -> None:
    old = _copy_distribution(tmp_path / "old")
    totp = pyotp.TOTP(pyotp.random_base32())
    source = Keycloak(old)
    try:
        _create_realm(source, totp.secret)
        first = source.login(totp.now())
        assert first.status_code == 200, first.text
    finally:
        source.stop()
    # the new machine: the same distribution (already built for these options), without any store
    new = Path(shutil.copytree(old, tmp_path / "new", ignore=shutil.ignore_patterns("h2", "*.log")))
    settings = BackupSettings(
        target=tmp_path / "target",
        key_file=tmp_path / "keys" / "backup.key",
        databases={},
        buckets=[],
        keycloak_h2=old / "data" / "h2",
        config_paths=[],
        s3=S3(),
        copy_bucket=None,
    )
    taken = await backup.create(settings)
    shutil.rmtree(old / "data" / "h2")  # the old machine's store is gone

    document = manifest.read(taken)
    assert document["keycloak"]["store"]["credentials"].get("otp") == 1
    await restore.restore(taken, settings, restore.live_plan(document, keycloak_h2=new / "data" / "h2"))

    restored = Keycloak(new)
    try:
        wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
        refused = restored.login(wrong)
        assert refused.status_code in (400, 401) and refused.json()["error"] == "invalid_grant", refused.text
        await asyncio.sleep(max(0.0, 30 - time.time() % 30) + 1)  # a step not used before (a reused code is refused)
        answer = restored.login(totp.now())
        assert answer.status_code == 200, answer.text
        assert answer.json()["access_token"]
    finally:
        restored.stop()
