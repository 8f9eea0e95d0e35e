"""Errors of import and export, with the Japanese messages users read."""

from __future__ import annotations

from collections.abc import Sequence

from tbms_core.errors import InvalidInput, NotFound, VersionConflict


class UnreadableFile(InvalidInput):
    """The upload is not a CSV in UTF-8 or CP932, nor an .xlsx workbook."""

    code = "unreadable_file"
    message = (
        "ファイルを読み取れませんでした。CSV（UTF-8 または Shift_JIS）か Excel（.xlsx）のファイルを選んでください。"
    )


class FileTooLarge(InvalidInput):
    """The upload is larger than one import may be; nothing is cut off silently."""

    code = "file_too_large"

    def __init__(self, limit_bytes: int, limit_rows: int) -> None:
        super().__init__(
            f"ファイルが大きすぎます。一度に取り込めるのは {limit_bytes // 1_000_000}MB、{limit_rows:,}行までです。"
            "ファイルを分けて取り込んでください。"
        )


class ColumnsNotUnderstood(InvalidInput):
    """The header row lacks a required column, names one this master does not have, or names one twice."""

    code = "columns_not_understood"

    def __init__(
        self, missing: Sequence[str], unknown: Sequence[str], repeated: Sequence[str], kind_label: str
    ) -> None:
        problems = []
        if missing:
            problems.append("必須の列がありません: " + "、".join(f"「{name}」" for name in missing))
        if unknown:
            problems.append(f"{kind_label}にない列があります: " + "、".join(f"「{name}」" for name in unknown))
        if repeated:
            problems.append("同じ列が2回以上あります: " + "、".join(f"「{name}」" for name in repeated))
        errors = {"file": "。".join(problems) + "。"}
        super().__init__(
            "1行目の見出しを確認してください。" + errors["file"] + "見出しは出力したファイルと同じにしてください。",
            errors=errors,
        )


class ImportNotFound(NotFound):
    """No import with that id."""

    message = "指定された取込が見つかりません。"


class ImportHasErrors(InvalidInput):
    """Some rows are wrong, so nothing is applied (all or nothing)."""

    code = "import_has_errors"

    def __init__(self, count: int) -> None:
        super().__init__(
            f"エラーのある行が{count:,}行あるため、取り込めません（1行も反映していません）。"
            "ファイルを修正して、もう一度アップロードしてください。"
        )


class ImportAlreadyApplied(InvalidInput):
    """The import was applied before; applying it again would change nothing."""

    code = "import_already_applied"
    message = "この取込は反映済みです。もう一度反映することはできません。"


class ImportOutdated(VersionConflict):
    """A row the preview compared was changed by somebody else meanwhile; nothing is applied."""

    code = "import_outdated"

    def __init__(self, lines: dict[int, str]) -> None:
        shown = sorted(lines)[:10]
        detail = "、".join(f"{line}行目（{lines[line]}）" for line in shown) + (" ほか" if len(lines) > 10 else "")
        super().__init__(
            f"確認画面を表示した後に、他の利用者がマスタを更新しました: {detail}。1行も反映していません。"
            "同じファイルをもう一度アップロードして、最新の内容と比べてください。",
            errors={str(line): lines[line] for line in lines},
        )
