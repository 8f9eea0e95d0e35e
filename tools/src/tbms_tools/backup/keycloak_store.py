"""The local Keycloak's H2 store, read with the H2 engine its distribution ships: users and their credentials.

At backup time a copy of the store is opened (which also proves the copy taken from the running Keycloak is
readable); the drill opens the restored copy and compares: the number of users, the credentials per type, and a
digest over every user's credentials (password hashes and TOTP secrets), so users can log in as before.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tbms_tools import config


def h2_jar() -> Path | None:
    """The H2 engine inside the Keycloak distribution."""
    found = sorted((config.keycloak_home() / "lib" / "lib" / "main").glob("com.h2database.h2-*.jar"))
    return found[-1] if found else None


def java() -> str | None:
    """A java binary (the newest JDK ≥ 21, else the default one)."""
    home = config.newest_jdk(Path("/usr/lib/jvm"))
    if home is not None:
        return str(home / "bin" / "java")
    return shutil.which("java")


def summary(store: Path) -> dict[str, Any]:
    """Users and credentials of an H2 store file (`….mv.db`), opened in a private copy; raises RuntimeError."""
    jar, binary = h2_jar(), java()
    if jar is None or binary is None:
        raise RuntimeError("H2 を読むための Java または Keycloak の H2 ライブラリがありません。")
    with tempfile.TemporaryDirectory(prefix="tbms-h2-") as scratch:
        work = Path(scratch)
        shutil.copyfile(store, work / "keycloakdb.mv.db")
        users, credentials = work / "users.csv", work / "credentials.csv"
        select_users = "SELECT ID, USERNAME, REALM_ID FROM USER_ENTITY ORDER BY ID"
        select_credentials = "SELECT ID, USER_ID, TYPE, SECRET_DATA, CREDENTIAL_DATA FROM CREDENTIAL ORDER BY ID"
        sql = f"CALL CSVWRITE('{users}', '{select_users}'); CALL CSVWRITE('{credentials}', '{select_credentials}')"
        url = f"jdbc:h2:file:{work / 'keycloakdb'};NON_KEYWORDS=VALUE"
        argv = [binary, "-cp", str(jar), "org.h2.tools.Shell", "-url", url, "-user", "", "-password", "", "-sql", sql]
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0 or not users.is_file() or not credentials.is_file():
            raise RuntimeError(f"H2 ストアを開けません: {(done.stderr or done.stdout).strip()[:300]}")
        user_rows = _rows(users)
        credential_rows = _rows(credentials)
    per_type: dict[str, int] = {}
    digest = hashlib.sha256()
    for row in user_rows:
        digest.update(("user\t" + "\t".join(row) + "\n").encode())
    for row in credential_rows:
        per_type[row[2]] = per_type.get(row[2], 0) + 1
        digest.update(("credential\t" + "\t".join(row) + "\n").encode())
    return {"users": len(user_rows), "credentials": dict(sorted(per_type.items())), "digest": digest.hexdigest()}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]
