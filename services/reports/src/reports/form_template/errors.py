"""Errors of form templates, with the Japanese messages users read."""

from tbms_core.errors import InvalidInput, NotFound


class FormTemplateNotFound(NotFound):
    """No uploaded template version with that id for the form."""

    message = "指定された様式の版が見つかりません。"


class TemplateInvalid(InvalidInput):
    """The uploaded HTML is not a template that can be printed."""

    message = "様式のHTMLを読み取れません。内容を確認してください。"


class EffectiveDateTaken(InvalidInput):
    """Another version of the form takes effect on the same day."""

    message = "同じ施行日の版がすでにあります。別の施行日を指定してください。"
