"""`tbms preflight`: checks a production `.env` and the realm production imports before `docker compose up` (N28).

Production must not have an account named like a default (admin, root, minioadmin …) or like the development
realm's accounts (nurse1 …), nor a password an attacker tries first; the realm file must create no user.
"""

from __future__ import annotations

import json
from pathlib import Path

from tbms_core.settings import is_default_account_name

from tbms_tools import config

REALM_FILE = Path("deploy") / "keycloak" / "tbms-realm.json"
KNOWN_PASSWORDS = frozenset({"admin", "password", "changeme", "minioadmin", "secret", "tbms", "keycloak", "grafana"})


def read_env(path: Path) -> dict[str, str]:
    """The variables of a compose `.env` file (KEY=value lines; comments and blank lines skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def env_problems(values: dict[str, str]) -> list[str]:
    """What is wrong with the accounts and passwords of a production `.env`, one line each."""
    problems = []
    for key, value in values.items():
        if key.endswith("_USER") and value and is_default_account_name(value):
            problems.append(f"{key}={value}: 既定・開発用のアカウント名です。用途の分かる名前にしてください")
        if key.endswith(("_PASSWORD", "_SECRET", "_KEY")) and value.lower() in KNOWN_PASSWORDS:
            problems.append(f"{key}: よく知られた値です。`openssl rand -hex 32` などで生成してください")
        user = values.get(key.removesuffix("_PASSWORD") + "_USER") if key.endswith("_PASSWORD") else None
        if value and value == user:
            problems.append(f"{key}: アカウント名と同じです")
    return problems


def realm_problems(path: Path) -> list[str]:
    """Users the production realm file would create: no person (accounts are made per person); only a service's
    account, which has no password and no one-time code (identity's `service-account-tbms-identity`)."""
    realm = json.loads(path.read_text(encoding="utf-8"))
    people = [user for user in realm.get("users") or [] if not _service_account(user)]
    return [f"{path.name}: 利用者 {user.get('username', '?')} を作成します" for user in people]


def _service_account(user: dict) -> bool:  # type: ignore[type-arg]
    return bool(user.get("serviceAccountClientId")) and not user.get("credentials")


def check(env_file: Path | None) -> list[str]:
    """Every problem found in the `.env` (when given) and the production realm file."""
    problems = realm_problems(config.repo_root() / REALM_FILE)
    if env_file is not None:
        problems += env_problems(read_env(env_file))
    return problems


def report(problems: list[str]) -> int:
    """Prints the result; 0 when nothing is wrong."""
    for line in problems:
        print(f"[preflight] NG: {line}")
    if not problems:
        print("[preflight] OK: 既定・開発用のアカウントやよく知られたパスワードはありません")
    return 1 if problems else 0
