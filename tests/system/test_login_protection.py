"""What the production realm does with a wrong code, repeated failures and a temporary password, through
Keycloak's own login pages, and how it stores a password (N01–N04)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator

import httpx
import pyotp
import pytest
from tbms_testing.browser import form_action, keycloak_browser
from tbms_testing.scratch_realm import ScratchRealm, reached_tbms, scratch_realm
from tbms_tools import config
from tbms_tools.backup import keycloak_store

PASSWORD = "Lock-Check-" + secrets.token_hex(4) + "!"
FAILURES_TO_LOCK = 5  # failureFactor of deploy/keycloak/tbms-realm.json
QUICK_FAILURE_SECONDS = 1.2  # quickLoginCheckMilliSeconds there, and a little more


@pytest.fixture
async def realm() -> AsyncIterator[ScratchRealm]:
    """The production realm file as a scratch realm."""
    async with scratch_realm("tbms-lockcheck") as made:
        yield made


class Authenticator:
    """A user's authenticator app: a fresh code per 30-second step (Keycloak refuses a code used once)."""

    def __init__(self) -> None:
        self.secret = pyotp.random_base32()
        self.used: set[int] = set()

    async def code(self) -> str:
        """The code of a step not used yet, waiting for the next step when this one was used."""
        step = int(time.time() // 30)
        if step in self.used:
            await asyncio.sleep((step + 1) * 30 - time.time() + 0.5)
            step += 1
        self.used.add(step)
        return pyotp.TOTP(self.secret).at(step * 30)

    def wrong(self) -> str:
        """A code of none of the steps Keycloak accepts now (an hour away)."""
        return pyotp.TOTP(self.secret).at(time.time() + 3600)


async def send_code(realm: ScratchRealm, browser: httpx.AsyncClient, page: httpx.Response, code: str) -> httpx.Response:
    """Types a code into the TOTP form of the page."""
    sent = await browser.post(form_action(page.text, "otp"), data={"otp": code})
    return await realm.follow(browser, sent)


@pytest.mark.req("N01")
async def test_the_right_password_with_a_wrong_or_no_code_is_refused_and_with_the_right_code_gets_in(
    realm: ScratchRealm,
) -> None:
    app = Authenticator()
    await realm.add_user("otpuser1", PASSWORD, totp_secret=app.secret)
    async with keycloak_browser() as browser:
        page = await realm.send_password(browser, "otpuser1", PASSWORD)
        assert page.status_code == 200 and 'name="otp"' in page.text, "the code should be asked next"
        for code in (app.wrong(), ""):
            page = await send_code(realm, browser, page, code)
            assert not reached_tbms(page), f"the code {code!r} let the user in"
            assert page.status_code == 200 and 'name="otp"' in page.text, "the code form should be shown again"
            await asyncio.sleep(QUICK_FAILURE_SECONDS)  # two failures closer than this lock the account a minute
        page = await send_code(realm, browser, page, await app.code())
    assert reached_tbms(page), "the right password and code should lead back to tbms"


@pytest.mark.req("N03", "N04")
async def test_repeated_wrong_passwords_lock_the_account_until_an_administrator_or_the_wait_frees_it(
    realm: ScratchRealm,
) -> None:
    app = Authenticator()
    user_id = await realm.add_user("otpuser2", PASSWORD, totp_secret=app.secret)
    status_url = f"/admin/realms/{realm.name}/attack-detection/brute-force/users/{user_id}"
    async with keycloak_browser() as browser:
        for attempt in range(1, FAILURES_TO_LOCK + 1):
            await asyncio.sleep(QUICK_FAILURE_SECONDS)  # failures apart, so the count is what locks, not their pace
            page = await realm.send_password(browser, "otpuser2", f"Wrong-{attempt}-{PASSWORD}")
            assert page.status_code == 200 and 'name="otp"' not in page.text
            locked = (await realm.admin.get(status_url)).json()["disabled"]
            assert locked is (attempt == FAILURES_TO_LOCK), f"locked after {attempt} failures: {locked}"
        status = (await realm.admin.get(status_url)).json()
        assert status["disabled"] is True and status["numFailures"] >= FAILURES_TO_LOCK
        # Locked: the right password and the right code no longer get in.
        page = await realm.send_password(browser, "otpuser2", PASSWORD)
        if 'name="otp"' in page.text:
            page = await send_code(realm, browser, page, await app.code())
        assert not reached_tbms(page), "a locked account got in"
        assert (await realm.admin.get(status_url)).json()["disabled"] is True

        # An administrator frees the account (the realm also frees it after the wait): the same login succeeds.
        (await realm.admin.delete(status_url)).raise_for_status()
        page = await realm.send_password(browser, "otpuser2", PASSWORD)
        page = await send_code(realm, browser, page, await app.code())
    assert reached_tbms(page)


@pytest.mark.req("N02")
async def test_a_temporary_password_must_be_changed_before_getting_in(realm: ScratchRealm) -> None:
    app = Authenticator()
    await realm.add_user("tempuser1", PASSWORD, totp_secret=app.secret, temporary=True)
    async with keycloak_browser() as browser:
        page = await realm.send_password(browser, "tempuser1", PASSWORD)
        if 'name="otp"' in page.text:  # the code comes first, then the new password
            page = await send_code(realm, browser, page, await app.code())
        assert not reached_tbms(page), "a temporary password got in without being changed"
        assert 'name="password-new"' in page.text, "Keycloak should ask for a new password first"
        short = await browser.post(
            form_action(page.text, "password-new"), data={"password-new": "Short1!", "password-confirm": "Short1!"}
        )
        assert short.status_code == 200 and 'name="password-new"' in short.text, "a short password was accepted"


@pytest.mark.req("N02")
async def test_keycloak_keeps_a_password_only_as_a_salted_slow_hash(realm: ScratchRealm) -> None:
    user_id = await realm.add_user("hashuser1", PASSWORD)
    [password] = [
        c
        for c in (await realm.admin.get(f"/admin/realms/{realm.name}/users/{user_id}/credentials")).json()
        if c["type"] == "password"
    ]
    assert "secretData" not in password and PASSWORD not in json.dumps(password)
    hashing = json.loads(password["credentialData"])
    assert hashing["algorithm"] in ("argon2", "pbkdf2-sha512", "pbkdf2-sha256") and hashing["hashIterations"] >= 1

    store = config.keycloak_home() / "data" / "h2" / "keycloakdb.mv.db"
    if not store.is_file():
        pytest.skip("this Keycloak keeps its store outside H2")
    deadline = time.monotonic() + 30
    while True:  # the store is written a moment after the change
        rows = await asyncio.to_thread(keycloak_store.credentials_of, store, user_id)
        if rows or time.monotonic() > deadline:
            break
        await asyncio.sleep(2)
    [stored] = [row for row in rows if row["type"] == "password"]
    secret = json.loads(stored["secret_data"])
    assert set(secret) >= {"value", "salt"} and secret["value"] and secret["salt"]
    assert PASSWORD not in stored["secret_data"] and PASSWORD not in stored["credential_data"]
    assert PASSWORD.encode() not in store.read_bytes(), "the password is in Keycloak's store as typed"
