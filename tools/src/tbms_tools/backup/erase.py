"""`tbms erase`: crypto-erase of the backups (N17): the backup key is destroyed, every generation becomes unreadable.

Two named people are required (who orders, who approves; not the same person), and a confirmed hand-back export
(its manifest) or a recorded reason why there is none. The key file is overwritten with random bytes, flushed and
removed; then every backup generation is checked: its parts name the destroyed key and no key at hand opens them.
The certificate (JSON, text and a PDF page) records what was erased, which copies, the method, the key
destroyed, when, who ordered and who approved, and the verification.

Scope: the backups of this target (and the copies of them in the second bucket, sealed with the same key), and the
store of people's document keys kept beside the generations (document-keys.enc), shredded too. In the live system
each person's documents are sealed with their own data key (reports' document_keys, wrapped with
TBMS_REPORTS_DOCUMENT_KEK); one person's erasure destroys their key (recorded in document_key_erasures), and since
the generations never hold those keys, their files in every generation are unreadable once the key store has been
rewritten by the next backup. The live databases are not encrypted with a tbms-held key: their volumes are deleted
and their media handled as docs/recovery.md says, and the operators destroy TBMS_REPORTS_DOCUMENT_KEK and MinIO's
key (TBMS_S3_KMS_SECRET_KEY) by hand.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tbms_tools.backup import crypt, document_keys, manifest
from tbms_tools.backup.certificate_pdf import certificate_pdf
from tbms_tools.backup.settings import BackupSettings

METHOD = "暗号化消去（AES-256-GCM の鍵の破棄。鍵ファイルを乱数で上書きし同期した後に削除）"


LIVE_SYSTEM = (
    "文書・帳票・資料は本人ごとのデータ鍵（AES-256-GCM）で暗号化して保存している。本人の消去ではその鍵を破棄し"
    "（reports の document_key_erasures に記録）、バックアップの世代には鍵を含めないため、"
    "どの世代の複製も復号できない。"
    "稼働中のシステム全体の消去は TBMS_REPORTS_DOCUMENT_KEK と MinIO の鍵 TBMS_S3_KMS_SECRET_KEY の破棄、"
    "データベースはボリュームの削除と媒体の処理による（docs/recovery.md 8 章）"
)


class EraseRefused(Exception):
    """The erasure may not run (yet)."""


@dataclass(frozen=True)
class Order:
    """Who wants the erasure, who approved it, and the hand-back it follows."""

    ordered_by: str
    approved_by: str
    export_manifest: Path | None = None
    reason_without_export: str | None = None


def check(order: Order) -> dict[str, Any]:
    """Refuses one person alone, and an erasure before a confirmed hand-back (unless the reason is recorded)."""
    if not order.ordered_by.strip() or not order.approved_by.strip():
        raise EraseRefused("消去には指示者と承認者の氏名が必要です。")
    if order.ordered_by.strip() == order.approved_by.strip():
        raise EraseRefused("指示者と承認者は別の人でなければなりません。")
    if order.export_manifest is not None:
        try:
            document = json.loads(order.export_manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise EraseRefused(f"引き渡しデータの目録 {order.export_manifest} が読めません。") from exc
        if document.get("format") != "tbms-export/1":
            raise EraseRefused(f"{order.export_manifest} は引き渡しデータの目録ではありません。")
        return {"confirmed": True, "manifest": str(order.export_manifest), "created_at": document["created_at"]}
    if order.reason_without_export and order.reason_without_export.strip():
        return {"confirmed": False, "reason": order.reason_without_export.strip()}
    raise EraseRefused(
        "引き渡しデータ（tbms export-all）の確認前には消去できません。目録を指定するか、理由を記録してください。"
    )


def _destroy(key_file: Path) -> None:
    size = key_file.stat().st_size
    with key_file.open("r+b") as handle:
        for _ in range(3):
            handle.seek(0)
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
    key_file.unlink()
    directory = os.open(key_file.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _verify_generation(directory: Path, destroyed_id: str, other_keys: list[bytes]) -> dict[str, Any]:
    document = manifest.read(directory)
    results = []
    for part in document["parts"]:
        path = directory / part["file"]
        with path.open("rb") as handle:
            header = handle.read(crypt.HEADER_BYTES)
        sealed_with = header[len(crypt.MAGIC) : len(crypt.MAGIC) + crypt.KEY_ID_BYTES].hex()
        opened = False
        for key in other_keys:
            try:
                with path.open("rb") as handle:
                    next(crypt.decrypt_chunks(handle, key))
                opened = True
            except crypt.DecryptError:
                pass
        results.append({"part": part["name"], "sealed_with": sealed_with, "opened": opened})
    unreadable = all(r["sealed_with"] == destroyed_id and not r["opened"] for r in results)
    return {"backup": directory.name, "taken_at": document["started_at"], "parts": results, "unreadable": unreadable}


def erase(settings: BackupSettings, order: Order, certificates: Path, *, now: datetime | None = None) -> dict[str, Any]:
    """Destroys the backup key, verifies that no generation opens, writes the certificate; returns it."""
    export = check(order)
    moment = now or datetime.now(UTC)
    key = crypt.load_or_create_key(settings.key_file, forbidden=settings.target, create=False)
    destroyed_id = crypt.key_id(key).hex()
    generations = manifest.list_backups(settings.target)
    key_store = document_keys.store_path(settings.target)
    if key_store.exists():
        document_keys.shred(key_store)
    copied_store = _remove_copied_key_store(settings)
    _destroy(settings.key_file)
    del key
    key_gone = not settings.key_file.exists()
    try:
        crypt.load_or_create_key(settings.key_file, create=False)
        reload_failed = False
    except crypt.KeyError_:
        reload_failed = True
    # a key that exists elsewhere (a new one after the erasure, or a mix-up) must not open them either
    other_keys = [crypt.load_or_create_key(path, create=False) for path in _keys_beside(settings.key_file)]
    verified = [_verify_generation(directory, destroyed_id, other_keys) for directory in generations]
    certificate = {
        "format": "tbms-erasure-certificate/1",
        "title": "データ消去証明書（暗号化消去）",
        "erased_at": manifest.times(moment),
        "what": "tbms のバックアップ（全データベース、文書・帳票の全版、Keycloak、設定）",
        "copies": {
            "backup_target": str(settings.target),
            "generations": [g["backup"] for g in verified],
            "second_location": settings.copy_bucket or "なし",
            "document_keys": f"利用者ごとの文書の鍵の保管庫 {key_store}（世代の外、バックアップの鍵で暗号化）を破棄",
            "second_location_document_keys": copied_store["text"],
            "live_system": LIVE_SYSTEM,
        },
        "method": METHOD,
        "key_destroyed": {"key_id": destroyed_id, "key_file": str(settings.key_file)},
        "ordered_by": order.ordered_by.strip(),
        "approved_by": order.approved_by.strip(),
        "hand_back_export": export,
        "verification": {
            "key_file_removed": key_gone,
            "key_cannot_be_loaded": reload_failed,
            "document_key_store_removed": not key_store.exists(),
            "second_location_document_key_store": copied_store["state"],
            "generations": verified,
            "all_unreadable": key_gone
            and reload_failed
            and not key_store.exists()
            and all(g["unreadable"] for g in verified),
        },
    }
    certificates.mkdir(parents=True, exist_ok=True)
    stem = certificates / f"erasure-{moment.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    stem.with_suffix(".json").write_text(json.dumps(certificate, ensure_ascii=False, indent=1) + "\n", "utf-8")
    stem.with_suffix(".txt").write_text(certificate_text(certificate), encoding="utf-8")
    stem.with_suffix(".pdf").write_bytes(certificate_pdf(certificate))
    return certificate


def _remove_copied_key_store(settings: BackupSettings) -> dict[str, Any]:
    """Removes every version of the document key store from the second bucket (sealed with the destroyed key, so
    unreadable anyway); an object lock that still holds a version refuses, and that is written down."""
    if not settings.copy_bucket:
        return {"text": "第二の保管先なし", "state": {"removed": 0, "left": 0, "error": None}}
    try:
        removed, left = document_keys.remove_copies(settings.s3.client(), settings.copy_bucket)
    except Exception as exc:  # written on the certificate; the key's destruction goes on
        text = f"第二の保管先 {settings.copy_bucket} の保管庫は削除できず（{exc}）。"
        text += "バックアップの鍵の破棄により復号不能"
        return {"text": text, "state": {"removed": 0, "left": None, "error": str(exc)}}
    text = f"第二の保管先 {settings.copy_bucket} の保管庫 {removed} 版を削除"
    if left:
        text += f"、{left} 版はオブジェクトロックの保存期間中のため残存（バックアップの鍵の破棄により復号不能）"
    return {"text": text, "state": {"removed": removed, "left": left, "error": None}}


def _keys_beside(key_file: Path) -> list[Path]:
    folder = key_file.parent
    return sorted(path for path in folder.glob("*.key") if path.is_file()) if folder.is_dir() else []


def certificate_text(certificate: dict[str, Any]) -> str:
    """The certificate as a page of text (Japanese)."""
    verification = certificate["verification"]
    lines = [
        certificate["title"],
        "",
        f"消去日時: {certificate['erased_at']['jst']}",
        f"対象: {certificate['what']}",
        f"方式: {certificate['method']}",
        f"破棄した鍵: 鍵ID {certificate['key_destroyed']['key_id']}（{certificate['key_destroyed']['key_file']}）",
        f"指示者: {certificate['ordered_by']}",
        f"承認者: {certificate['approved_by']}",
        "",
        "対象の複製:",
        f"  バックアップ保管先: {certificate['copies']['backup_target']}",
        *(f"  世代 {name}" for name in certificate["copies"]["generations"]),
        f"  第二の保管先: {certificate['copies']['second_location']}",
        f"  文書の鍵: {certificate['copies']['document_keys']}",
        f"  第二の保管先の文書の鍵: {certificate['copies'].get('second_location_document_keys', '')}",
        f"  稼働中のシステム: {certificate['copies']['live_system']}",
        "",
        "引き渡し: "
        + (
            f"確認済み（目録 {certificate['hand_back_export'].get('manifest')}）"
            if certificate["hand_back_export"]["confirmed"]
            else f"未実施（理由: {certificate['hand_back_export'].get('reason')}）"
        ),
        "",
        "検証:",
        f"  鍵ファイルの削除: {'確認' if verification['key_file_removed'] else '未確認'}",
        f"  鍵の読み込み不能: {'確認' if verification['key_cannot_be_loaded'] else '未確認'}",
        f"  文書の鍵の保管庫の削除: {'確認' if verification['document_key_store_removed'] else '未確認'}",
        *(
            f"  {g['backup']}: {'復号不能を確認' if g['unreadable'] else '要確認'}（{len(g['parts'])} 部品）"
            for g in verification["generations"]
        ),
        f"結論: {'すべての世代が復号できないことを確認した' if verification['all_unreadable'] else '未完了（要対応）'}",
    ]
    return "\n".join(lines) + "\n"
