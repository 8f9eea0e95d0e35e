"""The health center's 外字 policy (N26) for the input forms: what a typed name becomes in forms, CSV and NESID."""

from __future__ import annotations

from starlette.requests import Request
from tbms_core.jp.gaiji import GaijiPolicy, load_policy


def gaiji_policy(request: Request) -> GaijiPolicy:
    """The policy of the settings gaiji_mode and gaiji_substitutes_file (a JSON {"character": "substitute"})."""
    settings = request.app.state.settings
    return load_policy(settings.gaiji_mode, settings.gaiji_substitutes_file)
