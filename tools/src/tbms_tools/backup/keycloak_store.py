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
import uuid
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
    found = _select(
        store,
        {
            "users": "SELECT ID, USERNAME, REALM_ID FROM USER_ENTITY ORDER BY ID",
            "credentials": "SELECT ID, USER_ID, TYPE, SECRET_DATA, CREDENTIAL_DATA FROM CREDENTIAL ORDER BY ID",
        },
    )
    per_type: dict[str, int] = {}
    digest = hashlib.sha256()
    for row in found["users"]:
        digest.update(("user\t" + "\t".join(row) + "\n").encode())
    for row in found["credentials"]:
        per_type[row[2]] = per_type.get(row[2], 0) + 1
        digest.update(("credential\t" + "\t".join(row) + "\n").encode())
    return {"users": len(found["users"]), "credentials": dict(sorted(per_type.items())), "digest": digest.hexdigest()}


def _select(store: Path, queries: dict[str, str]) -> dict[str, list[list[str]]]:
    """The rows of each query (single quotes doubled, as inside CSVWRITE) over a private copy of the store."""
    jar, binary = h2_jar(), java()
    if jar is None or binary is None:
        raise RuntimeError("H2 を読むための Java または Keycloak の H2 ライブラリがありません。")
    with tempfile.TemporaryDirectory(prefix="tbms-h2-") as scratch:
        work = Path(scratch)
        shutil.copyfile(store, work / "keycloakdb.mv.db")
        files = {name: work / f"{name}.csv" for name in queries}
        sql = "; ".join(f"CALL CSVWRITE('{files[name]}', '{query}')" for name, query in queries.items())
        url = f"jdbc:h2:file:{work / 'keycloakdb'};NON_KEYWORDS=VALUE"
        argv = [binary, "-cp", str(jar), "org.h2.tools.Shell", "-url", url, "-user", "", "-password", "", "-sql", sql]
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0 or not all(f.is_file() for f in files.values()):
            raise RuntimeError(f"H2 ストアを開けません: {(done.stderr or done.stdout).strip()[:300]}")
        return {name: _rows(path) for name, path in files.items()}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def credentials_of(store: Path, user_id: str) -> list[dict[str, str]]:
    """One user's credentials as the store keeps them (type, secret data, credential data); raises RuntimeError."""
    checked = uuid.UUID(user_id)  # a UUID, nothing else, goes into the statement
    select = f"SELECT TYPE, SECRET_DATA, CREDENTIAL_DATA FROM CREDENTIAL WHERE USER_ID = ''{checked}'' ORDER BY ID"  # noqa: S608
    rows = _select(store, {"credentials": select})["credentials"]
    return [{"type": t, "secret_data": s, "credential_data": c} for t, s, c in rows]
