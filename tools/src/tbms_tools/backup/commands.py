"""What the `tbms backup|restore` commands do, and the last result for the operations page."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from minio.error import S3Error

from tbms_tools import config
from tbms_tools.backup import backup, crypt, drill, erase, export, manifest, pg, restore, retention, status_server
from tbms_tools.backup.settings import BackupSettings

SCHEDULE_HOURS = 24
GRACE_HOURS = 2
FAILURES = (
    backup.BackupError,
    restore.RestoreError,
    pg.PgError,
    crypt.KeyError_,
    crypt.DecryptError,
    manifest.ManifestError,
    export.ExportError,
    erase.EraseRefused,
    asyncpg.PostgresError,
    S3Error,
    OSError,
)


ENV_BASE_RESULT = "TBMS_PGBACKREST_RESULT"


def base_backups(path: Path, now: datetime) -> dict[str, Any]:
    """PostgreSQL's last base backup as the `pgbackrest` service recorded it (deploy/postgres/pgbackrest-schedule.sh
    writes "ok <ISO time> <step>" or "failed <ISO time> <step>"): good only when it succeeded within the schedule."""
    if not path.is_file():
        return {
            "ok": False,
            "at": None,
            "age_hours": None,
            "step": "",
            "message": "ベースバックアップの結果がありません",
        }
    outcome, _, rest = path.read_text(encoding="utf-8").strip().partition(" ")
    moment, _, step = rest.partition(" ")
    try:
        age = (now - datetime.fromisoformat(moment)).total_seconds() / 3600
    except ValueError:
        age = None
    succeeded = outcome == "ok"
    on_time = age is not None and age <= SCHEDULE_HOURS + GRACE_HOURS
    if not succeeded:
        message = f"ベースバックアップ（pgBackRest）が失敗しました（{step}）"
    elif not on_time:
        message = "最後のベースバックアップ（pgBackRest）が予定より古いか、時刻が読めません"
    else:
        message = f"ベースバックアップ（pgBackRest）正常（{age:.1f} 時間前）"
    rounded = None if age is None else round(age, 2)
    return {"ok": succeeded and on_time, "at": moment, "age_hours": rounded, "step": step, "message": message}


def status(
    target: Path | None = None, *, now: datetime | None = None, base_result: Path | None = None
) -> dict[str, Any]:
    """The last backup's name, age and outcome, and whether it is overdue: what the operations page shows.

    `ok` is true only when the last run succeeded, its drill matched and the newest good backup is younger
    than the schedule allows; a backup that was never drilled is not called good. Where PostgreSQL's base backups
    are recorded (`base_result`, else $TBMS_PGBACKREST_RESULT), their last one must be good and on time too.
    """
    target = target or BackupSettings().target
    now = now or datetime.now(UTC)
    if base_result is None and os.environ.get(ENV_BASE_RESULT):
        base_result = Path(os.environ[ENV_BASE_RESULT])
    backups = manifest.list_backups(target)
    last_run: dict[str, Any] = {}
    if (target / backup.LAST_RESULT).is_file():
        last_run = json.loads((target / backup.LAST_RESULT).read_text(encoding="utf-8"))
    good = None
    for path in reversed(backups):
        report = path / manifest.DRILL_JSON
        if report.is_file() and json.loads(report.read_text(encoding="utf-8")).get("ok"):
            good = path.name
            break
    age = (now - retention.taken_at(good)).total_seconds() / 3600 if good else None
    overdue = age is None or age > SCHEDULE_HOURS + GRACE_HOURS
    ok = bool(last_run.get("ok")) and not overdue
    if last_run and not last_run.get("ok"):
        message = f"前回のバックアップ処理が失敗しました（{last_run.get('stage')}）: {last_run.get('message', '')}"
    elif good is None:
        message = "確認済みのバックアップがありません"
    elif overdue:
        message = f"最新の確認済みバックアップが {age:.1f} 時間前です（予定 {SCHEDULE_HOURS} 時間ごと）"
    else:
        message = f"最新の確認済みバックアップ {good}（{age:.1f} 時間前）"
    state: dict[str, Any] = {
        "ok": ok,
        "last_good_backup": good,
        "age_hours": None if age is None else round(age, 2),
        "overdue": overdue,
        "last_run": last_run,
        "backups": len(backups),
        "message": message,
    }
    if base_result is not None:
        base = base_backups(base_result, now)
        state["base_backups"] = base
        if not base["ok"]:
            state["ok"] = False
            state["message"] = f"{message}。{base['message']}"
    return state


def metrics(state: dict[str, Any]) -> str:
    """The status in Prometheus' text format: the age of the last good backup and whether all is well."""
    age = state["age_hours"]
    lines = [
        "# HELP tbms_backup_ok 1 when the last backup run succeeded, its drill matched and it is on time.",
        "# TYPE tbms_backup_ok gauge",
        f"tbms_backup_ok {1 if state['ok'] else 0}",
        "# HELP tbms_backup_last_good_age_seconds Age of the newest backup whose restore drill matched.",
        "# TYPE tbms_backup_last_good_age_seconds gauge",
        f"tbms_backup_last_good_age_seconds {'NaN' if age is None else round(age * 3600)}",
        "# HELP tbms_backup_count Finished backups in the target.",
        "# TYPE tbms_backup_count gauge",
        f"tbms_backup_count {state['backups']}",
    ]
    if "base_backups" in state:
        lines += [
            "# HELP tbms_backup_base_ok 1 when PostgreSQL's last base backup (pgBackRest) succeeded and is on time.",
            "# TYPE tbms_backup_base_ok gauge",
            f"tbms_backup_base_ok {1 if state['base_backups']['ok'] else 0}",
        ]
    return "\n".join(lines)


async def backup_and_drill(settings: BackupSettings, *, run_drill: bool = True) -> tuple[Path | None, int]:
    """Takes a backup, copies it to the second bucket when set, drills it; records and alerts any failure."""
    try:
        directory = await backup.create(settings)
    except FAILURES as exc:
        backup.alert(f"backup failed: {exc}")
        backup.write_last_result(
            settings.target,
            {
                "backup": None,
                "stage": "backup",
                "ok": False,
                "message": str(exc),
                "at": manifest.times(datetime.now(UTC)),
            },
        )
        return None, 1
    print(f"バックアップ {directory} を作成しました。")
    backup.write_last_result(
        settings.target,
        {
            "backup": directory.name,
            "stage": "backup",
            "ok": not run_drill,
            "message": "バックアップ作成（未検証）",
            "at": manifest.times(datetime.now(UTC)),
        },
    )
    if settings.copy_bucket:
        try:
            sent = backup.copy_to_bucket(directory, settings, settings.copy_bucket)
            print(f"第二の保管先 {settings.copy_bucket} に {sent} ファイルを複製しました。")
        except FAILURES as exc:
            backup.alert(f"copy to {settings.copy_bucket} failed: {exc}")
            return directory, 1
    if not run_drill:
        return directory, 0
    report = await drill.run(directory, settings)
    sys.stdout.write(report.text())
    return directory, 0 if report.ok else 1


def settings_from(args: argparse.Namespace) -> BackupSettings:
    """The settings with the command line's overrides."""
    settings = BackupSettings()
    if getattr(args, "target", None):
        settings.target = Path(args.target)
    return settings


def find_backup(settings: BackupSettings, name: str | None) -> Path:
    """A backup by path or name in the target; the newest one when none is named."""
    if name:
        path = Path(name)
        return path if path.is_dir() else settings.target / name
    backups = manifest.list_backups(settings.target)
    if not backups:
        raise restore.RestoreError(f"{settings.target} にバックアップがありません。")
    return backups[-1]


def main(args: argparse.Namespace) -> int:
    """Runs `tbms backup [drill|list|prune|status]` or `tbms restore`."""
    settings = settings_from(args)
    try:
        if args.group == "restore":
            return _restore(args, settings)
        if args.group == "export-all":
            document = asyncio.run(export.export_all(settings, Path(args.out)))
            print(f"引き渡しデータを {args.out} に書き出しました（{len(document['files'])} ファイル）。")
            return 0
        if args.group == "erase":
            return _erase(args, settings)
        if args.action is None:
            return asyncio.run(backup_and_drill(settings, run_drill=not args.no_drill))[1]
        if args.action == "drill":
            report = asyncio.run(drill.run(find_backup(settings, args.backup), settings, keep=args.keep))
            sys.stdout.write(report.text())
            return 0 if report.ok else 1
        if args.action == "status":
            state = status(settings.target)
            print(metrics(state) if args.metrics else json.dumps(state, ensure_ascii=False, indent=1), end="\n")
            return 0 if state["ok"] or not args.check else 1
        if args.action == "serve":
            status_server.serve(lambda: status(settings.target), metrics, (args.host, args.port))
            return 0
        if args.action == "list":
            return _list(settings)
        if args.action == "prune":
            now = datetime.now(UTC)
            decisions = retention.prune(
                settings.target,
                now,
                daily_days=settings.daily_days,
                monthly_years=settings.monthly_years,
                dry_run=args.dry_run,
            )
            for decision in decisions:
                print(f"{'保持' if decision.keep else '削除'}  {decision.name}  {decision.reason}")
            return 0
    except FAILURES as exc:
        print(f"[backup] エラー: {exc}", file=sys.stderr)
        return 1
    return 0


def _list(settings: BackupSettings) -> int:
    for path in manifest.list_backups(settings.target):
        document = manifest.read(path)
        report = path / manifest.DRILL_JSON
        verdict = "未検証"
        if report.is_file():
            verdict = "訓練一致" if json.loads(report.read_text(encoding="utf-8"))["ok"] else "訓練不一致"
        size = sum(part["size"] for part in document["parts"])
        parts = len(document["parts"])
        print(f"{path.name}  {document['started_at']['jst']}  {size / 1e6:.1f} MB  {parts} 部品  {verdict}")
    return 0


def _restore(args: argparse.Namespace, settings: BackupSettings) -> int:
    if args.from_bucket:  # the second location: the generation and, on a new machine, the document key store
        directory = backup.fetch_from_bucket(settings, args.from_bucket, args.backup)
        print(f"第二の保管先 {args.from_bucket} から {directory.name} を取得しました。")
    else:
        directory = find_backup(settings, args.backup)
    key = crypt.load_or_create_key(settings.key_file, forbidden=directory, create=False)
    document = restore.verify(directory, key)
    if args.into_live:
        plan = restore.live_plan(
            document,
            keycloak_h2=Path(args.keycloak_h2) if args.keycloak_h2 else None,
            config_dir=Path(args.config_dir) if args.config_dir else None,
        )
    else:
        base = Path(args.config_dir) if args.config_dir else None
        plan = restore.scratch_plan(document, prefix=args.prefix or "", suffix=args.suffix or "", base=base)
    outcome = asyncio.run(restore.restore(directory, settings, plan, force=args.force))
    print(f"バックアップ {outcome.backup} を復元しました。")
    for role, database in plan.databases.items():
        print(f"  データベース {role} → {database}")
    for source, bucket in plan.buckets.items():
        print(f"  バケット {source} → {bucket}")
    if plan.keycloak_h2:
        print(f"  Keycloak H2 → {plan.keycloak_h2}（Keycloak を止めてから data/h2 に置いてください）")
    print(f"  文書の版IDの付け替え {outcome.remapped_documents} 件、所要 {outcome.seconds.get('total')} 秒")
    return 0


def _erase(args: argparse.Namespace, settings: BackupSettings) -> int:
    order = erase.Order(
        ordered_by=args.ordered_by,
        approved_by=args.approved_by,
        export_manifest=Path(args.export_manifest) if args.export_manifest else None,
        reason_without_export=args.reason_without_export,
    )
    erase.check(order)
    if args.confirm != settings.target.name:
        raise erase.EraseRefused(f"確認のため --confirm {settings.target.name} を付けてください（元に戻せません）。")
    certificates = Path(args.certificates) if args.certificates else config.state_dir() / "erasure-certificates"
    certificate = erase.erase(settings, order, certificates)
    sys.stdout.write(erase.certificate_text(certificate))
    print(f"証明書: {certificates}")
    return 0 if certificate["verification"]["all_unreadable"] else 1


def add_parsers(groups: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Registers `tbms backup …` and `tbms restore`."""
    parser = groups.add_parser("backup", help="encrypted backup of databases, documents, Keycloak and configuration")
    parser.add_argument("--target", help="the backup location (default $TBMS_BACKUP_TARGET)")
    parser.add_argument("--no-drill", action="store_true", help="do not run the restore drill after the backup")
    actions = parser.add_subparsers(dest="action")
    run_drill = actions.add_parser("drill", help="restore a backup into scratch places and compare")
    run_drill.add_argument("backup", nargs="?", help="a backup's name or path (default: the newest)")
    run_drill.add_argument("--keep", action="store_true", help="keep the scratch databases and buckets")
    actions.add_parser("list", help="the backups in the target with size and drill result")
    prune_parser = actions.add_parser("prune", help="delete backups the retention policy no longer keeps")
    prune_parser.add_argument("--dry-run", action="store_true", help="only show what would be deleted")
    state = actions.add_parser("status", help="the last backup's age and outcome (JSON)")
    state.add_argument("--check", action="store_true", help="exit 1 unless the last backup is good and on time")
    state.add_argument("--metrics", action="store_true", help="Prometheus text format (for a textfile collector)")
    serving = actions.add_parser("serve", help="the state over HTTP: /metrics (Prometheus) and /status (JSON)")
    serving.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every IPv4 address)")
    serving.add_argument("--port", type=int, default=status_server.DEFAULT_PORT)
    back = groups.add_parser("restore", help="restore a backup (checksums first) beside the system or into it")
    back.add_argument("backup", nargs="?", help="a backup's name or path (default: the newest)")
    back.add_argument("--target", help="the backup location (default $TBMS_BACKUP_TARGET)")
    back.add_argument(
        "--from-bucket",
        help="fetch the backup (and, when the target has none, the document key store) from this second bucket",
    )
    back.add_argument("--prefix", help="restore into <prefix><database> and <prefix><bucket>")
    back.add_argument("--suffix", help="restore into <database><suffix> and <bucket><suffix>")
    back.add_argument("--into-live", action="store_true", help="restore into the original names (empty ones only)")
    back.add_argument("--force", action="store_true", help="replace databases and buckets that are not empty")
    back.add_argument("--keycloak-h2", help="directory for Keycloak's H2 files (Keycloak stopped)")
    back.add_argument("--config-dir", help="directory to unpack the configuration into")
    hand_back = groups.add_parser("export-all", help="every record, history, document and log in open formats (N24)")
    hand_back.add_argument("--out", required=True, help="an empty directory to write into")
    wipe = groups.add_parser("erase", help="crypto-erase the backups: destroy the backup key (two people)")
    wipe.add_argument("--target", help="the backup location (default $TBMS_BACKUP_TARGET)")
    wipe.add_argument("--ordered-by", required=True, help="who orders the erasure (name)")
    wipe.add_argument("--approved-by", required=True, help="who approved it (another person)")
    wipe.add_argument("--export-manifest", help="manifest.json of the confirmed hand-back export")
    wipe.add_argument("--reason-without-export", help="why there is no hand-back export (recorded)")
    wipe.add_argument("--certificates", help="where the erasure certificate goes (kept outside the backups)")
    wipe.add_argument("--confirm", default="", help="the backup target's folder name, to confirm")
