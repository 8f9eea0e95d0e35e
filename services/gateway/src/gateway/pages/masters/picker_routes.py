"""The pickers' answers (partials/picker.html, static/combobox.js): suggestions while typing and a chosen row.

Any logged-in user may ask: reference data feeds every form (masters itself needs 参照 in some area).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from gateway.pages.masters.view import checked_kind
from gateway.web.deps import MastersDep
from gateway.web.errors import PageError, PageNotFound
from gateway.web.templating import render

router = APIRouter()
BOX_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,79}")
NO_SUGGESTIONS = "候補を表示できませんでした。そのまま入力を続けられます。"


@router.get("/{kind}/suggest")
async def suggest(
    request: Request, kind: str, masters: MastersDep, q: str = "", ref: str = "", box: str = ""
) -> Response:
    """Rows valid today matching what is typed, as the options of a picker's list (a fragment)."""
    if checked_kind(kind) is None:
        raise PageNotFound()
    query, items, failure = q.strip(), [], ""
    if query:
        try:
            items = await masters.suggest(kind, query, ref=ref.strip())
        except PageError:
            failure = NO_SUGGESTIONS
    box = box if BOX_ID.fullmatch(box) else "picker"  # the ids of the options start with the input's id
    context = {"items": items, "failure": failure, "active": bool(query), "box": box}
    return render(request, "masters/_suggest.html", context)


@router.get("/{kind}/picked")
async def picked(kind: str, masters: MastersDep, code: str = "") -> Response:
    """The chosen row's name and data, so a picker can fill the fields still empty (address, phone)."""
    if checked_kind(kind) is None or not code:
        raise PageNotFound()
    row = await masters.record(kind, code)
    return JSONResponse({key: row.get(key) for key in ("code", "name", "kana", "data")})
