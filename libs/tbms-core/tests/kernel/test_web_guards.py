"""What every app refuses before its own code runs: control characters in a query, and oversized bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from opentelemetry.sdk.trace import TracerProvider
from tbms_core.web import MAX_BODY_BYTES, observe

reached: list[str] = []


def guarded_app() -> FastAPI:
    """A bare app with the shared middleware and one endpoint that records being reached."""
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        reached.append("echo")
        return {"size": len(await request.body())}

    @app.get("/find")
    async def find(q: str = "") -> dict[str, str]:
        reached.append("find")
        return {"q": q}

    observe(app, "guardtest", TracerProvider())
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    reached.clear()
    transport = httpx.ASGITransport(app=guarded_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://guardtest") as c:
        yield c


@pytest.mark.req("N09", partial=True)
async def test_a_nul_in_the_query_is_refused_in_japanese_and_nothing_runs(client: httpx.AsyncClient) -> None:
    response = await client.get("/find", params={"q": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"q": "使用できない文字（制御文字）が含まれています。"}
    assert reached == []
    assert (await client.get("/find", params={"q": "試験 太郎"})).json() == {"q": "試験 太郎"}


@pytest.mark.req("N09", partial=True)
async def test_a_body_over_the_limit_is_refused_before_it_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post("/echo", content=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert "大きすぎます" in response.json()["detail"]
    assert reached == []


async def test_a_body_without_a_length_is_counted_as_it_arrives(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(21):
            yield b"x" * (1024 * 1024)

    response = await client.post("/echo", content=chunks())
    assert response.status_code == 413
    assert "大きすぎます" in response.json()["detail"]
    assert (await client.post("/echo", content=b"x" * 1000)).json() == {"size": 1000}


@pytest.mark.req("N09", partial=True)
async def test_a_control_character_in_a_json_or_form_body_is_refused_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/echo", json={"patient": {"name": "試験\x00太郎"}, "notes": ["ok", "\x1b[31m"]})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "patient.name": "使用できない文字（制御文字）が含まれています。",
        "notes.1": "使用できない文字（制御文字）が含まれています。",
    }
    form = await client.post("/echo", data={"name": "a\x00", "kana": "シケン"})
    assert form.status_code == 422 and form.json()["errors"] == {
        "name": "使用できない文字（制御文字）が含まれています。"
    }
    assert reached == []


async def test_ordinary_text_with_tabs_newlines_and_typed_backslashes_passes_through_intact(
    client: httpx.AsyncClient,
) -> None:
    body = {"memo": "一行目\n二行目\tタブ", "path": "C:\\u0000\\b"}
    response = await client.post("/echo", json=body)
    assert response.status_code == 200
    assert response.json() == {"size": len(httpx.Request("POST", "/", json=body).content)}
