"""Files a back end sends (CSV, PDF) streamed on to the browser without being held in the gateway.

A CSV may be asked in Shift_JIS (CP932): when characters would be lost the back end refuses, and the page that
says so names them and offers the same file with 〓 in their place or in UTF-8 (N26).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse

from gateway.web.errors import BadRequest, PageError


def relay(download: httpx.Response, *, media_type: str = "", disposition: str = "") -> StreamingResponse:
    """Streams an open download to the browser under the back end's file name and type (or the ones given).

    The back end's response is closed once the browser has it all.
    """
    return StreamingResponse(
        download.aiter_bytes(),
        media_type=media_type or download.headers.get("content-type", "text/csv; charset=utf-8"),
        headers={"Content-Disposition": disposition or download.headers.get("content-disposition", "attachment")},
        background=BackgroundTask(download.aclose),
    )


CSV_FORMAT_PARAMS = ("encoding", "substitute")
ENCODINGS = ("utf-8", "cp932")
NOT_IN_CP932 = "csv_not_in_cp932"


class CsvNotInCp932(PageError):
    """A Shift_JIS CSV was refused because characters would be lost: the page names them and offers 〓 or UTF-8."""

    status_code = 422
    title = "Shift_JIS（CP932）で出力できない文字があります"
    next_step = None

    def choices(self, request: Request) -> list[tuple[str, str]]:
        """The same download again: with 〓 for the characters, or in UTF-8 keeping them."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in CSV_FORMAT_PARAMS]
        path = request.url.path
        return [
            (f"{path}?{urlencode([*kept, ('encoding', 'cp932'), ('substitute', 'true')])}", SUBSTITUTE_LABEL),
            (f"{path}?{urlencode([*kept, ('encoding', 'utf-8')])}", "UTF-8で出力する（文字はそのまま。現在のExcel用）"),
        ]


SUBSTITUTE_LABEL = "表せない文字を「〓」に置き換えてShift_JISで出力する"


def csv_format(request: Request) -> dict[str, str]:
    """The encoding the user chose for a CSV, as the back ends read it (nothing for the default UTF-8)."""
    encoding = request.query_params.get("encoding", "")
    if encoding != "cp932":
        return {}
    substitute = request.query_params.get("substitute", "") in ("true", "1")
    return {"encoding": "cp932", **({"substitute": "true"} if substitute else {})}


def refuse_if_not_in_cp932(body: dict[str, Any]) -> None:
    """A back end's refusal of a Shift_JIS file becomes the page that lists the characters and offers the way on."""
    if body.get("code") == NOT_IN_CP932:
        raise CsvNotInCp932(str(body.get("detail") or ""))


async def checked(download: httpx.Response, failure: str) -> httpx.Response:
    """The open download when the back end sends the file; its refusal as a page with its message otherwise."""
    if download.status_code == 200:
        return download
    try:
        await download.aread()
        body: dict[str, Any] = download.json()
    except ValueError:
        body = {}
    finally:
        await download.aclose()
    refuse_if_not_in_cp932(body)
    raise BadRequest(str(body.get("detail") or failure))


def with_encoding(url: str, encoding: str) -> str:
    """The export link `url` asking for the file in `encoding`."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'encoding': encoding})}"
