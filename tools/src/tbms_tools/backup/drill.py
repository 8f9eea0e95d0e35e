"""The restore drill: restore a backup into scratch databases and a scratch bucket, compare with the backup moment.

Compared: every table's row count and content checksum (taken on the dump's own snapshot, kept in the manifest),
every bucket's versions, delete markers, bytes and content digest, each restored document's file against its row,
the operation history's hash chain (identity's own check), Keycloak's store and the configuration files, and a sample
of patients opened through a patients service started on the restored database (never connected to NATS) against
what the live service answered at the backup.
The report (JSON and text) is written next to the backup; any difference is an ALERT line and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from tbms_tools import audit
from tbms_tools.backup import crypt, document_keys, keycloak_store, manifest, objects, patient_sample, pg
from tbms_tools.backup import restore as restoring
from tbms_tools.backup.backup import alert, write_last_result
from tbms_tools.backup.settings import BackupSettings

H2_HEADER = b"H:2"
MARKS = {True: "OK", False: "NG", None: "未確認"}


@dataclass
class Check:
    """One comparison: what, whether it matched, and what differed."""

    what: str
    ok: bool | None  # None: could not be made (not a pass)
    detail: str = ""


@dataclass
class Report:
    """A drill's result."""

    backup: str
    started_at: dict[str, str]
    ok: bool = True
    checks: list[Check] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    scratch: dict[str, Any] = field(default_factory=dict)

    def add(self, what: str, ok: bool | None, detail: str = "") -> None:
        """Records one comparison (ok None: it could not be made)."""
        self.checks.append(Check(what, ok, detail))
        self.ok = self.ok and ok is not False

    @property
    def differences(self) -> list[Check]:
        """The comparisons that failed."""
        return [check for check in self.checks if check.ok is False]

    @property
    def not_made(self) -> list[Check]:
        """The comparisons that could not be made."""
        return [check for check in self.checks if check.ok is None]

    def text(self) -> str:
        """The report as an operator reads it (Japanese)."""
        verdict = "一致（復元できることを確認）" if self.ok else "不一致あり（要対応）"
        if self.ok and self.not_made:
            verdict = "一致（ただし確認できなかった項目あり）"
        lines = [
            f"リストア訓練報告 {self.backup}",
            f"開始: {self.started_at['jst']}",
            f"結果: {verdict}",
            f"比較 {len(self.checks)} 項目、不一致 {len(self.differences)} 項目、確認できず {len(self.not_made)} 項目",
            "",
            "所要時間（秒）:",
            *(f"  {name}: {seconds}" for name, seconds in self.seconds.items()),
            "",
            "比較項目:",
            *(f"  [{MARKS[c.ok]}] {c.what}{(' — ' + c.detail) if c.detail else ''}" for c in self.checks),
        ]
        return "\n".join(lines) + "\n"


def compare_tables(role: str, expected: dict[str, Any], actual: dict[str, Any], report: Report) -> None:
    """Row counts and checksums per table, and tables missing or added."""
    for table in sorted(set(expected) | set(actual)):
        what = f"{role}: {table}"
        if table not in actual:
            report.add(what, False, "復元先にテーブルがありません")
        elif table not in expected:
            report.add(what, False, "バックアップ時になかったテーブルがあります")
        elif expected[table]["rows"] != actual[table]["rows"]:
            report.add(what, False, f"行数 {expected[table]['rows']} → {actual[table]['rows']}")
        elif expected[table]["checksum"] != actual[table]["checksum"]:
            report.add(what, False, f"行数 {actual[table]['rows']} は同じだが内容のチェックサムが違います")
        else:
            report.add(what, True, f"{actual[table]['rows']} 行")


def compare_bucket(bucket: str, expected: dict[str, Any], actual: dict[str, Any], report: Report) -> None:
    """Versions, delete markers, keys, bytes and the content digest of a bucket."""
    names = ("versions", "delete_markers", "keys", "bytes", "digest")
    differing = [
        f"{name} {expected.get(name)} → {actual.get(name)}" for name in names if expected.get(name) != actual.get(name)
    ]
    counts = f"{actual['versions']} 版（削除マーカー {actual['delete_markers']}）、{actual['keys']} キー"
    report.add(f"バケット {bucket}", not differing, "; ".join(differing) if differing else counts)


async def check_documents(settings: BackupSettings, database: str, bucket: str, report: Report) -> None:
    """Every document row of the restored reports database opens in the restored bucket (a sealed file with its
    person's key as restored from the key store) and its content has the recorded SHA-256."""
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        if not await conn.fetchval("SELECT to_regclass('public.documents') IS NOT NULL"):
            return
        rows = await conn.fetch("SELECT object_key, version_id, sha256 FROM documents")
    finally:
        await conn.close()
    keys = await document_keys.data_keys(settings, database)
    client = settings.s3.client()
    bad = []
    for row in rows:
        try:
            response = client.get_object(bucket, row["object_key"], version_id=row["version_id"])
            data = response.read()
            response.close()
            response.release_conn()
        except Exception as exc:
            bad.append(f"{row['object_key']}: {exc.__class__.__name__}")
            continue
        content = document_keys.opened(data, keys)
        if content is None:
            bad.append(f"{row['object_key']}: 本人の鍵がなく復号できない")
        elif hashlib.sha256(content).hexdigest() != row["sha256"]:
            bad.append(f"{row['object_key']}: SHA-256 不一致")
    detail = "; ".join(bad[:5]) if bad else f"{len(rows)} 件の文書が復元先で開け、内容が一致"
    report.add("文書（reports.documents → オブジェクト）", not bad, detail)


def check_audit_chain(settings: BackupSettings, database: str, report: Report) -> None:
    """identity's own hash-chain check on the restored operation history."""
    result = audit.verify(database_url=settings.sqlalchemy_url(database))
    message = (result.stdout or result.stderr).strip()
    report.add("操作履歴のハッシュチェーン（identity）", result.returncode == 0, message)


async def check_patient_sample(
    settings: BackupSettings, document: dict[str, Any], database: str, report: Report
) -> None:
    """The patients sampled at the backup, opened through a patients service on the restored database."""
    report.add(patient_sample.WHAT, *await patient_sample.check(settings, document, database))


def check_tar_part(directory: Path, document: dict[str, Any], key: bytes, kind: str, report: Report) -> None:
    """Keycloak's H2 store or the configuration: the files unpack and match the list taken at the backup."""
    part = restoring.find_part(document, kind=kind)
    if part is None:
        return
    store_check: tuple[bool, str] | None = None
    with tempfile.TemporaryDirectory(prefix="tbms-drill-") as scratch:
        names = restoring.unpack(directory, part, key, Path(scratch), flat=False)
        found = {name: hashlib.sha256((Path(scratch) / name).read_bytes()).hexdigest() for name in names}
        heads_ok = all((Path(scratch) / name).read_bytes()[:3] == H2_HEADER for name in names if kind == "keycloak-h2")
        if kind == "keycloak-h2":
            store_check = _compare_store(part.get("store") or {}, Path(scratch) / "keycloakdb.mv.db")
    expected = {entry["path"]: entry["sha256"] for entry in part["files"]}
    ok = found == expected and heads_ok
    label = "Keycloak の H2 ストアのファイル" if kind == "keycloak-h2" else "設定ファイル"
    detail = f"{len(found)} ファイル" if ok else f"目録 {len(expected)} ファイル、復元 {len(found)} ファイル"
    report.add(label, ok, detail)
    if store_check is not None:
        report.add("Keycloak の利用者と認証情報（パスワード・TOTP）", *store_check)


def _compare_store(expected: dict[str, Any], restored: Path) -> tuple[bool, str]:
    """Users, credentials per type and their digest in the restored store against the backup moment."""
    if "error" in expected or not expected:
        return False, f"バックアップ時に H2 ストアを開けませんでした: {expected.get('error', '記録なし')}"
    try:
        actual = keycloak_store.summary(restored)
    except (RuntimeError, OSError) as exc:
        return False, str(exc)
    if actual != expected:
        before, after = expected["credentials"], actual["credentials"]
        return False, f"利用者 {expected['users']} → {actual['users']}、認証情報 {before} → {after}（または内容が違う）"
    kinds = "、".join(f"{name} {count}" for name, count in actual["credentials"].items())
    return True, f"利用者 {actual['users']} 名、認証情報 {kinds}（内容のダイジェスト一致）"


async def run(directory: Path, settings: BackupSettings, *, keep: bool = False, label: str | None = None) -> Report:
    """Restores a backup into scratch places, compares, writes the report beside it, cleans up (unless `keep`)."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    report = Report(directory.name, manifest.times(started))
    key = crypt.load_or_create_key(settings.key_file, forbidden=directory, create=False)
    step = time.monotonic()
    try:
        document = restoring.verify(directory, key)
    except restoring.RestoreError as exc:
        report.add("部品のチェックサムと目録の署名", False, str(exc))
        return _finish(directory, settings, report, clock)
    report.seconds["verify_checksums"] = round(time.monotonic() - step, 3)
    report.add("部品のチェックサムと目録の署名", True, f"{len(document['parts'])} 部品")
    tag = label or secrets.token_hex(3)
    plan = restoring.scratch_plan(document, prefix=f"tbms_drill_{tag}_")
    plan.buckets = {source: restoring.bucket_name(f"tbms-drill-{tag}-{source}") for source in plan.buckets}
    report.scratch = {"databases": plan.databases, "buckets": plan.buckets}
    outcome = restoring.Outcome(document["id"], plan)
    try:
        step = time.monotonic()
        await restoring.restore_databases(directory, document, key, settings, plan, outcome)
        report.seconds["restore_databases"] = round(time.monotonic() - step, 3)
        step = time.monotonic()
        for role, database in plan.databases.items():
            actual = await pg.table_fingerprints(settings, database)
            compare_tables(role, document["databases"][role]["tables"], actual, report)
        report.seconds["compare_tables"] = round(time.monotonic() - step, 3)
        step = time.monotonic()
        await asyncio.to_thread(restoring.restore_buckets, directory, document, key, settings, plan, outcome)
        await restoring.remap_documents(settings, plan, outcome)
        report.seconds["restore_buckets"] = round(time.monotonic() - step, 3)
        step = time.monotonic()
        client = settings.s3.client()
        for source, bucket in plan.buckets.items():
            actual = await asyncio.to_thread(objects.summarize, client, bucket)
            compare_bucket(source, document["buckets"][source], actual, report)
        if "reports" in plan.databases and plan.buckets:
            await check_documents(settings, plan.databases["reports"], next(iter(plan.buckets.values())), report)
        report.seconds["compare_objects"] = round(time.monotonic() - step, 3)
        step = time.monotonic()
        if "identity" in plan.databases and "public.audit_events" in document["databases"]["identity"]["tables"]:
            await asyncio.to_thread(check_audit_chain, settings, plan.databases["identity"], report)
        report.seconds["audit_chain"] = round(time.monotonic() - step, 3)
        step = time.monotonic()
        for kind in ("keycloak-h2", "config"):
            check_tar_part(directory, document, key, kind, report)
        report.seconds["keycloak_and_config"] = round(time.monotonic() - step, 3)
        if patient_sample.ROLE in plan.databases:
            step = time.monotonic()
            await check_patient_sample(settings, document, plan.databases[patient_sample.ROLE], report)
            report.seconds["patient_sample"] = round(time.monotonic() - step, 3)
    except (restoring.RestoreError, pg.PgError, crypt.DecryptError, OSError, asyncpg.PostgresError) as exc:
        report.add("復元", False, str(exc))
    finally:
        if not keep:
            step = time.monotonic()
            await cleanup(settings, plan)
            report.seconds["cleanup"] = round(time.monotonic() - step, 3)
    return _finish(directory, settings, report, clock)


async def cleanup(settings: BackupSettings, plan: restoring.Plan) -> None:
    """Drops the scratch databases and buckets of a drill."""
    for database in plan.databases.values():
        await pg.drop_database(settings, database)
    if plan.buckets:
        client = settings.s3.client()
        for bucket in plan.buckets.values():
            await asyncio.to_thread(objects.remove_bucket, client, bucket)
    if plan.keycloak_h2 is not None:
        shutil.rmtree(plan.keycloak_h2, ignore_errors=True)


def _finish(directory: Path, settings: BackupSettings, report: Report, clock: float) -> Report:
    report.seconds["total"] = round(time.monotonic() - clock, 3)
    document = asdict(report)
    (directory / manifest.DRILL_JSON).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (directory / manifest.DRILL_TEXT).write_text(report.text(), encoding="utf-8")
    if not report.ok:
        for check in report.differences:
            alert(f"drill {report.backup}: {check.what}: {check.detail}")
    _note(directory, settings.target, report)
    return report


def _note(directory: Path, target: Path, report: Report) -> None:
    if directory.parent.resolve() != target.resolve():
        return  # a drill of a copy elsewhere does not speak for this target's schedule
    write_last_result(
        target,
        {
            "backup": report.backup,
            "stage": "drill",
            "ok": report.ok,
            "at": manifest.times(datetime.now(UTC)),
            "message": "リストア訓練で一致を確認"
            if report.ok
            else f"リストア訓練で不一致 {len(report.differences)} 件",
        },
    )
