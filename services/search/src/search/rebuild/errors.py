"""Errors of rebuilding the index, with the Japanese messages administrators read."""

from tbms_core.errors import DomainError


class RebuildNotRunning(DomainError):
    """A page came for a rebuild that was discarded, taken over or finished."""

    status_code = 409
    code = "rebuild_not_running"
    message = (
        "この索引の再構築は実行中ではありません（破棄されたか、別の再構築に引き継がれたか、終了しています）。"
        "`tbms search reindex` をやり直してください。"
    )

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{type(self).message}{detail and f'（{detail}）'}")
