"""Errors of circulations, with their Japanese messages."""

from tbms_core.errors import AccessDenied, InvalidInput, NotFound


class CirculationNotFound(NotFound):
    """No such circulation, or not one the user may see."""

    message = "該当する回議・供覧がありません。"


class CirculationNotOpen(InvalidInput):
    """The circulation is not at a stage where this can be done."""

    message = "この回議は現在この操作ができる状態ではありません（決裁済み・取下げ済み・差戻し中など）。"


class NotStepHolder(AccessDenied):
    """The user holds neither the current step's role nor one that may decide for it."""

    message = "この段階を決裁する役職（または代決できる役職）ではありません。"


class OnBehalfNotAllowed(AccessDenied):
    """代決 is not allowed at this step for the user's role."""

    message = "この段階は代決できません（回議ルートで代決が認められていません）。"


class NotDrafter(AccessDenied):
    """Only the drafter (起案者) may re-submit or withdraw."""

    message = "起案者のみが再提出・取下げできます。"


class NotAddressed(AccessDenied):
    """The 供覧 was not addressed to the user or their team."""

    message = "この供覧はあなた宛て（またはあなたの地区宛て）ではありません。"
