"""Errors of document packages, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class PackageNotFound(NotFound):
    """No package with that id."""

    message = "指定された暗号化ファイルが見つかりません。"
