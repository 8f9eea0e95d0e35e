"""Errors of the routes, with their Japanese messages."""

from tbms_core.errors import InvalidInput, NotFound


class RouteNotFound(NotFound):
    """No route of its own for this document type."""

    message = "この文書種別の回議ルートは登録されていません（既定のルートが使われます）。"


class RouteStepUnknown(InvalidInput):
    """A step names a role the configuration does not know."""

    message = "回議ルートに設定されていない役職が含まれています。"
