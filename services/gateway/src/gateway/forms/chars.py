"""The health center's 外字 policy (N26) for the input forms: what a typed name becomes in forms, CSV and NESID."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from tbms_core.jp.gaiji import GaijiPolicy, load_policy


def gaiji_policy(request: Request, registered: Mapping[str, str] | None = None) -> GaijiPolicy:
    """The policy of the settings gaiji_mode and gaiji_substitutes_file (a JSON {"character": "substitute"}), with
    the 外字 master's registered substitutes (`registered`) laid over the file's."""
    settings = request.app.state.settings
    return load_policy(settings.gaiji_mode, settings.gaiji_substitutes_file, registered)
