"""Access matrix errors with their Japanese messages."""

from __future__ import annotations

from tbms_core.errors import NotFound


class GroupNotFound(NotFound):
    """No such group in the realm."""

    message = "指定されたグループが見つかりません。"
