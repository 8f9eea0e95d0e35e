"""Files a back end sends (CSV, PDF) streamed on to the browser without being held in the gateway."""

from __future__ import annotations

import httpx
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse


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
