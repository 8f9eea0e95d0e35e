"""Errors of the to-do list, with their Japanese messages."""

from tbms_core.errors import InvalidInput, NotFound


class TodoNotFound(NotFound):
    """No such to-do, or not one the user may see."""

    message = "該当するToDoがありません。"


class TodoClosed(InvalidInput):
    """The to-do's deadline is met or gone: nothing is left to do with it."""

    message = "このToDoは期限の元になった記録で完了しているため、操作できません。"
