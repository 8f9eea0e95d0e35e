"""`tbms export-all`: the hand-back at the end of a contract (N24), in open formats a city can read without tbms.

Writes into an empty directory:
  databases/<role>/<schema>.<table>.csv   every row of every table (UTF-8 with BOM, header row; JSON columns as JSON)
  databases/<role>/<schema>.<table>.json  the same rows as a JSON array (types kept)
  objects/<bucket>/<key>/<n>__<version>   every stored version of every document and printed form as stored by the
                                          user (a file sealed with a person's key is opened; an erased one is listed)
  objects/<bucket>/versions.json          key, version id, order, latest, delete marker, SHA-256 and size
  keycloak/users.json                     the realm's users (names, attributes, groups, roles, credential types,
                                          never the secrets), keycloak/realm.json its settings (partial export)
  config/                                 the deployment's configuration files as they are
  data-dictionary.md                      データ辞書（日本語）: each table's columns, types, comments, row counts
  manifest.json                           every file with its size and SHA-256, the source versions, the time

The tables include the services' edit histories (record_versions, contact_versions …), the operation and login
history (identity's audit_events, login_events) and the masters, so the export holds what a restore holds.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import shutil
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tbms_tools import config
from tbms_tools.backup import document_keys, manifest, objects, pg
from tbms_tools.backup.settings import BackupSettings

FORMAT = "tbms-export/1"
BATCH = 5000

COLUMNS = """
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


class ExportError(Exception):
    """The export cannot be written where asked."""


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    converted = _json_value(value)
    if isinstance(converted, list | dict):
        return json.dumps(converted, ensure_ascii=False)
    if isinstance(converted, bool):
        return "true" if converted else "false"
    return str(converted)


async def _json_codecs(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def export_database(settings: BackupSettings, role: str, database: str, out: Path) -> dict[str, Any]:
    """Every table of one database as CSV and JSON, on one consistent snapshot; returns the dictionary entries."""
    out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a command line tool, one task
    conn = await asyncpg.connect(settings.dsn(database))
    tables: dict[str, Any] = {}
    try:
        await _json_codecs(conn)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            for table in await conn.fetch(pg.TABLES):
                qualified = f"{pg.quote(table['schema'])}.{pg.quote(table['name'])}"
                name = f"{table['schema']}.{table['name']}"
                columns = [dict(row) for row in await conn.fetch(COLUMNS, qualified)]
                comment = await conn.fetchval("SELECT obj_description($1::regclass, 'pg_class')", qualified)
                names = [column["name"] for column in columns]
                count = 0
                with (
                    (out / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as csv_file,
                    (out / f"{name}.json").open("w", encoding="utf-8") as json_file,
                ):
                    writer = csv.writer(csv_file)
                    writer.writerow(names)
                    json_file.write("[")
                    cursor = conn.cursor(f"SELECT * FROM {qualified}")  # noqa: S608 - quoted catalog names
                    async for record in cursor:
                        writer.writerow([_csv_value(record[column]) for column in names])
                        row = {column: _json_value(record[column]) for column in names}
                        json_file.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
                        count += 1
                    json_file.write("\n]\n")
                tables[name] = {"rows": count, "comment": comment, "columns": columns}
    finally:
        await conn.close()
    return {"database": database, "tables": tables}


def export_bucket(
    settings: BackupSettings, bucket: str, out: Path, keys: dict[bytes, bytes] | None = None
) -> dict[str, Any]:
    """Every version of every object as the file it was (opened, when sealed with a person's key), and a
    versions.json listing them; the file of a person erased since cannot be opened and is listed as such."""
    client = settings.s3.client()
    out.mkdir(parents=True, exist_ok=True)
    listing = []
    order: dict[str, int] = {}
    for version, data in objects.iter_files(client, bucket):
        number = order[version.key] = order.get(version.key, 0) + 1
        entry: dict[str, Any] = {
            "key": version.key,
            "version_id": version.version_id,
            "order": number,
            "is_latest": version.is_latest,
            "delete_marker": version.delete_marker,
        }
        if not version.delete_marker:
            entry["stored_sha256"] = hashlib.sha256(data).hexdigest()  # as the store (and a backup) holds it
        opened = None if version.delete_marker else document_keys.opened(data, keys or {})
        if not version.delete_marker and opened is None:
            entry["erased"] = "本人の鍵の破棄（暗号化消去）により復号できません"
        elif not version.delete_marker:
            data = opened
            relative = Path(*[part for part in version.key.split("/") if part not in ("", ".", "..")])
            path = out / relative / f"{number:04d}__{version.version_id or 'null'}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            entry |= {"file": str(path.relative_to(out)), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        listing.append(entry)
    (out / "versions.json").write_text(json.dumps(listing, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {
        "versions": sum(not e["delete_marker"] for e in listing),
        "delete_markers": sum(e["delete_marker"] for e in listing),
    }


def dictionary_text(databases: dict[str, Any], buckets: dict[str, Any], moment: datetime) -> str:
    """データ辞書（Markdown, 日本語）."""
    lines = [
        "# tbms 引き渡しデータ データ辞書",
        "",
        f"作成日時: {manifest.times(moment)['jst']}",
        "",
        "## 形式",
        "",
        "- `databases/<サービス>/<スキーマ>.<テーブル>.csv`: 全行。UTF-8（BOM 付き）、1 行目は列名。"
        "JSON 型の列は JSON 文字列、日時は ISO 8601（UTC オフセット付き）、空欄は NULL。",
        "- 同名の `.json`: 同じ行を JSON 配列で（型を保持）。",
        "- `objects/<バケット>/`: 保存された文書・帳票の全版を元のバイト列のまま。`versions.json` に版の順序、"
        "最新かどうか、削除マーカー、SHA-256 を記載。",
        "- `manifest.json`: 全ファイルの大きさと SHA-256。",
        "",
        "各サービスの履歴テーブル（record_versions 等）が編集履歴、identity の audit_events が操作履歴、"
        "login_events がログイン履歴、masters がマスタです。列の意味の説明（下表の「説明」）は"
        "データベースのコメントがあるものだけ記載しています。",
        "",
    ]
    for role, state in databases.items():
        lines += [f"## サービス {role}（データベース {state['database']}）", ""]
        for table, info in state["tables"].items():
            lines += [f"### {table}（{info['rows']} 行）", ""]
            if info.get("comment"):
                lines += [info["comment"], ""]
            lines += ["| 列 | 型 | 必須 | 説明 |", "|---|---|---|---|"]
            for column in info["columns"]:
                required = "○" if column["not_null"] else ""
                lines.append(f"| {column['name']} | {column['type']} | {required} | {column.get('comment') or ''} |")
            lines.append("")
    for bucket, state in buckets.items():
        lines += [f"## 文書ストア {bucket}", "", f"版 {state['versions']}、削除マーカー {state['delete_markers']}", ""]
    return "\n".join(lines) + "\n"


async def export_all(settings: BackupSettings, out: Path) -> dict[str, Any]:
    """Writes the whole hand-back into an empty directory; returns its manifest."""
    _prepare(out)
    started = datetime.now(UTC)
    clock = time.monotonic()
    databases = {}
    for role, database in settings.databases.items():
        databases[role] = await export_database(settings, role, database, out / "databases" / role)
    buckets = {}
    database = settings.databases.get(document_keys.ROLE)
    keys = await document_keys.data_keys(settings, database) if database else {}
    client = settings.s3.client()
    for bucket in settings.buckets:
        if await asyncio.to_thread(client.bucket_exists, bucket):
            folder = out / "objects" / bucket
            buckets[bucket] = await asyncio.to_thread(export_bucket, settings, bucket, folder, keys)
    keycloak = await asyncio.to_thread(export_keycloak, settings, out / "keycloak")
    await asyncio.to_thread(export_config, settings, out / "config")
    (out / "data-dictionary.md").write_text(dictionary_text(databases, buckets, started), encoding="utf-8")
    files = _listing(out)
    document = {
        "format": FORMAT,
        "created_at": manifest.times(started),
        "seconds": round(time.monotonic() - clock, 3),
        "databases": {
            role: {"database": s["database"], "tables": {t: i["rows"] for t, i in s["tables"].items()}}
            for role, s in databases.items()
        },
        "buckets": buckets,
        "keycloak": keycloak,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return document


def export_keycloak(settings: BackupSettings, out: Path) -> dict[str, Any]:
    """The realm's users with their groups, roles and credential types (no secrets), and the realm's settings."""
    if not settings.keycloak_url:
        return {"exported": False, "reason": "Keycloak の URL が設定されていません"}
    base = settings.keycloak_url.rstrip("/")
    try:
        token = (
            httpx.post(
                f"{base}/realms/master/protocol/openid-connect/token",
                data={
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": settings.keycloak_admin[0],
                    "password": settings.keycloak_admin[1],
                },
                timeout=30,
            )
            .raise_for_status()
            .json()["access_token"]
        )
        with httpx.Client(
            base_url=f"{base}/admin/realms/{config.REALM}", timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as admin:
            users = []
            first = 0
            while page := admin.get("/users", params={"first": first, "max": 500}).raise_for_status().json():
                users += page
                first += len(page)
            for user in users:
                user["groups"] = [g["path"] for g in admin.get(f"/users/{user['id']}/groups").raise_for_status().json()]
                roles = admin.get(f"/users/{user['id']}/role-mappings/realm").raise_for_status().json()
                user["realmRoles"] = [role["name"] for role in roles]
                credentials = admin.get(f"/users/{user['id']}/credentials").raise_for_status().json()
                user["credentialTypes"] = sorted({c["type"] for c in credentials})
            realm = (
                admin.post("/partial-export", params={"exportGroupsAndRoles": "true", "exportClients": "true"})
                .raise_for_status()
                .json()
            )
    except httpx.HTTPError as exc:
        return {"exported": False, "reason": f"Keycloak から読めません: {exc}"}
    out.mkdir(parents=True, exist_ok=True)
    (out / "users.json").write_text(json.dumps(users, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "realm.json").write_text(json.dumps(realm, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"exported": True, "users": len(users)}


def export_config(settings: BackupSettings, out: Path) -> int:
    """The deployment's configuration files, as they are."""
    copied = 0
    for path in settings.config_paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            relative = file.relative_to(path.parent)
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, out / relative)
            copied += 1
    return copied


def _prepare(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"出力先 {out} が空ではありません。")
    out.mkdir(parents=True, exist_ok=True)


def _listing(out: Path) -> list[dict[str, Any]]:
    return [
        {"path": str(path.relative_to(out)), "size": path.stat().st_size, "sha256": _sha(path)}
        for path in sorted(p for p in out.rglob("*") if p.is_file())
    ]


def _sha(path: Path) -> str:
    from tbms_tools.backup.crypt import file_sha256

    return file_sha256(path)
