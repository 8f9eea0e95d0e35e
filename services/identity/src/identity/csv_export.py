"""Japanese names of operations in identity's CSV downloads and reports (R36); the CSV writer is tbms_core's."""

from __future__ import annotations

OPERATION_LABELS = {
    "read": "参照",
    "create": "登録",
    "update": "更新",
    "delete": "削除",
    "print": "印刷",
    "export": "出力",
    "download": "ダウンロード",
    "search": "検索",
    "login": "ログイン",
}


def operation_label(operation: str) -> str:
    """An operation's Japanese name."""
    return OPERATION_LABELS.get(operation, operation)
