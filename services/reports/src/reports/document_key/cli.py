"""`python -m reports.document_key.cli seal-existing` (`tbms documents seal-existing`): seals the files stored
before per-person keys were switched on (暗号化前に保存された文書・帳票の暗号化)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tbms_core.db import Database

from reports.document_key.reseal import KINDS, seal_existing
from reports.settings import get_settings
from reports.storage import DocumentStore

LABELS = {"documents": "帳票", "attachments": "資料", "packages": "送付用暗号化ファイル"}


async def run() -> int:
    """Seals what is still in plaintext and prints what it did; status 1 when a file could not be sealed."""
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        report = await seal_existing(db, DocumentStore(settings))
    finally:
        await db.dispose()
    for kind in KINDS:
        print(f"{LABELS[kind]}: 暗号化 {report.sealed[kind]} 件、暗号化済み {report.already[kind]} 件")
    print(f"削除した暗号化前の版: {report.plaintext_removed} 件")
    for problem in report.problems:
        print(f"要確認: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


def main(argv: list[str] | None = None) -> int:
    """The command line: `seal-existing`."""
    parser = argparse.ArgumentParser(prog="reports.document_key.cli", description="文書の個人別の鍵による暗号化")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seal-existing", help="暗号化前に保存された文書・帳票・資料を暗号化する（再実行できます）")
    parser.parse_args(argv)
    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
