"""Operator commands: `python -m identity.audit_log.cli verify [--anchors]`, `… anchor` and
`… purge --before YYYY-MM-DD`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date, datetime, time

from tbms_core.clock import JST
from tbms_core.db import Database

from identity.audit_log.anchor import AnchorStore, anchor_head, verify_with_anchors
from identity.audit_log.chain import verify_url
from identity.audit_log.retention import RetentionError, purge_before
from identity.settings import get_settings


async def verify(database_url: str, *, anchors: bool = False) -> int:
    """Checks the hash chain and its seals (and, when asked, its outside copies); 0 when intact, 1 with the broken
    seq named. A restored backup is checked without the anchors: they saw rows written after the backup."""
    if anchors:
        db = Database(database_url, pool_size=1)
        try:
            report = await verify_with_anchors(db, AnchorStore(get_settings()))
        finally:
            await db.dispose()
    else:
        report = await verify_url(database_url)
    print(report.message, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


async def anchor(database_url: str) -> int:
    """Copies the chain head to the object-locked bucket now."""
    db = Database(database_url, pool_size=1)
    try:
        done = await anchor_head(db, AnchorStore(get_settings()))
    finally:
        await db.dispose()
    print(f"操作履歴 {done.seq} 番までを外部に保管しました。" if done else "新しく保管する操作履歴はありません。")
    return 0


async def purge(database_url: str, before: date) -> int:
    """Deletes history older than the given JST day (at least three years ago) in one transaction."""
    db = Database(database_url, pool_size=1)
    try:
        async with db.session() as session:
            result = await purge_before(session, datetime.combine(before, time(), JST))
    except RetentionError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(result.message)
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line: `verify` or `purge --before YYYY-MM-DD`."""
    main = argparse.ArgumentParser(
        prog="identity.audit_log.cli", description="操作履歴の改ざん検査と保存期間経過分の削除"
    )
    commands = main.add_subparsers(dest="command", required=True)
    verify_command = commands.add_parser("verify", help="操作履歴の改ざん検査")
    verify_command.add_argument("--anchors", action="store_true", help="外部に保管した記録とも照合する")
    commands.add_parser("anchor", help="操作履歴の末尾を変更できない保管場所へ写す")
    purge_command = commands.add_parser("purge", help="3年以上前の操作履歴・ログイン履歴の削除")
    purge_command.add_argument(
        "--before", type=date.fromisoformat, required=True, help="この日（日本時間）より前を削除"
    )
    return main


def main(argv: list[str] | None = None) -> int:
    """Runs one command against the identity database of the environment."""
    args = parser().parse_args(argv)
    url = get_settings().database_url
    if args.command == "verify":
        return asyncio.run(verify(url, anchors=args.anchors))
    if args.command == "anchor":
        return asyncio.run(anchor(url))
    # identity's own role may not delete history (tbms_core.db_roles): a purge runs as the database's owner
    owner_url = os.environ.get("TBMS_IDENTITY_MIGRATION_DATABASE_URL") or url
    return asyncio.run(purge(owner_url, args.before))


if __name__ == "__main__":
    sys.exit(main())
