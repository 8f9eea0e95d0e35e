"""Errors of searching, with the Japanese messages users read."""

from tbms_core.errors import InvalidInput


class EmptyQuery(InvalidInput):
    """Nothing searchable is left of the query once spaces and symbols are folded away."""

    message = "検索する語句を入力してください（氏名、カナ、生年月日、登録番号、電話番号など）。"

    def __init__(self) -> None:
        super().__init__(errors={"q": type(self).message})
