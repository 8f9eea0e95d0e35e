"""The administration forms: temporary passwords that meet the realm's policy."""

from __future__ import annotations

import json
import re


def test_generated_passwords_meet_the_realm_policy() -> None:
    from gateway.pages.admin.entry_forms import temporary_password

    passwords = {temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) >= 12
        assert re.search("[A-Z]", password) and re.search("[a-z]", password) and re.search("[0-9]", password)
        assert re.search(r"[^A-Za-z0-9]", password) and not re.search("[0O1lI]", password)
    assert json.dumps(sorted(passwords))  # printable, JSON-safe
