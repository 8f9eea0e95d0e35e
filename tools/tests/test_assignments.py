"""`tbms audit assignments` pages through a list and posts each page to identity, overlapping pages so that a record
moving ahead of the cursor (one deleted before it) is still sent (N21)."""

from __future__ import annotations

import json

import httpx
import pytest
from tbms_tools.assignments import copy


class Listing:
    """`GET /patients` paged by offset; the first record is deleted after the first page is read."""

    def __init__(self, count: int) -> None:
        self.records = [{"id": f"p{n:03d}", "version": 1, "district": "北", "nurse": "nurse1"} for n in range(count)]
        self.reads = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        page = {"items": self.records[offset : offset + limit], "total": len(self.records)}
        self.reads += 1
        if self.reads == 1:
            del self.records[0]
        return httpx.Response(200, json=page)


@pytest.mark.req("N21", partial=True)
def test_every_record_reaches_identity_even_when_one_moves_ahead_of_the_cursor() -> None:
    listing, posted = Listing(25), []

    def identity(request: httpx.Request) -> httpx.Response:
        items = json.loads(request.content)["patients"]
        posted.extend(item["id"] for item in items)
        return httpx.Response(200, json={"received": len(items), "stored": len(items)})

    with (
        httpx.Client(base_url="http://patients", transport=httpx.MockTransport(listing)) as source,
        httpx.Client(base_url="http://identity", transport=httpx.MockTransport(identity)) as target,
    ):
        copy("patients", source, target, page_size=10, report=lambda _: None)
    assert set(posted) == {f"p{n:03d}" for n in range(25)}
