"""Errors of the CSV export, with the Japanese messages users read."""

from tbms_core.errors import InvalidInput


class ExportTooLarge(InvalidInput):
    """More rows match than one file may hold; nothing is cut off silently."""

    code = "export_too_large"

    def __init__(self, found: int, limit: int) -> None:
        super().__init__(
            f"出力の対象が{found:,}件あり、一度に出力できる{limit:,}件を超えています。"
            "登録年月日の期間や地区・状態で条件を絞り込んで、分けて出力してください。"
        )
