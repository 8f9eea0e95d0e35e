"""The health center's 外字 policy (N26) for the input forms: what a typed name becomes in forms, CSV and NESID."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from starlette.requests import Request
from tbms_core.jp.gaiji import GaijiMode, GaijiPolicy


@cache
def _substitutes(path: str) -> dict[str, str]:
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}


def gaiji_policy(request: Request) -> GaijiPolicy:
    """The policy of the settings gaiji_mode and gaiji_substitutes_file (a JSON {"character": "substitute"})."""
    settings = request.app.state.settings
    return GaijiPolicy(GaijiMode(settings.gaiji_mode), _substitutes(settings.gaiji_substitutes_file))
