"""Errors of the district master, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class DistrictNotFound(NotFound):
    """No district with that code."""

    message = "指定された地区が見つかりません。"
