"""The contacts service's requests between municipalities (依頼・回答), group contacts and the cluster picture."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.clients.base import SaveResult, ServiceClient, detail, field_errors
from gateway.forms import GENERAL_ERROR
from gateway.web.errors import BadRequest


class RequestsClient(ServiceClient):
    """contacts' request, group and cluster API as one user sees it."""

    async def codes(self) -> dict[str, Any]:
        """The screening forms' code lists from masters' コード表 as contacts keeps them (GET /reference/codes)."""
        return await self.get_json("/reference/codes")

    async def board(self, *, direction: str = "", open_only: bool = True) -> dict[str, Any]:
        """The requests of the board: {"items", "total"}."""
        params: dict[str, Any] = {"open_only": str(open_only).lower(), "limit": 500}
        if direction:
            params["direction"] = direction
        body = await self.get_json("/requests", **params)
        return {"items": list(body.get("items", [])), "total": int(body.get("total") or 0)}

    async def request(self, request_id: str) -> dict[str, Any]:
        """One request (RequestRead)."""
        return await self.get_json(f"/requests/{request_id}")

    async def history(self, request_id: str) -> list[dict[str, Any]]:
        """The request's edit history, newest first."""
        return list((await self.get_json(f"/requests/{request_id}/history")).get("items", []))

    async def create_outgoing(self, body: dict[str, Any]) -> SaveResult:
        """Saves a request to another health centre as 下書き."""
        return _saved(await self.send("POST", "/requests", json=body), "依頼を保存できませんでした。")

    async def register_incoming(self, body: dict[str, Any]) -> SaveResult:
        """Registers a request received."""
        return _saved(await self.send("POST", "/requests/incoming", json=body), "受け付けできませんでした。")

    async def step(self, request_id: str, step: str, body: dict[str, Any]) -> SaveResult:
        """One step of a request: send, acknowledge, reply or withdraw."""
        return _saved(await self.send("POST", f"/requests/{request_id}/{step}", json=body), "保存できませんでした。")

    async def make_package(self, request_id: str) -> SaveResult:
        """An encrypted package and its key (shown once)."""
        return _saved(await self.send("POST", f"/requests/{request_id}/packages"), "ファイルを作成できませんでした。")

    async def package(self, request_id: str, package_id: str) -> httpx.Response:
        """The encrypted file, streamed."""
        response = await self.send("GET", f"/requests/{request_id}/packages/{package_id}", stream=True)
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
            raise BadRequest(detail(response) or None)
        return response

    async def groups(self, index_patient_id: str) -> list[dict[str, Any]]:
        """The groups of an index patient."""
        return list((await self.get_json("/groups", index_patient_id=index_patient_id)).get("items", []))

    async def group(self, group_id: str) -> dict[str, Any]:
        """One group with its members."""
        return await self.get_json(f"/groups/{group_id}")

    async def create_group(self, body: dict[str, Any]) -> SaveResult:
        """Registers a group."""
        return _saved(await self.send("POST", "/groups", json=body), "集団を登録できませんでした。")

    async def upload(self, group_id: str, filename: str, content: bytes) -> SaveResult:
        """Reads a member file into a preview."""
        files = {"file": (filename or "members.csv", content, "application/octet-stream")}
        return _saved(await self.send("POST", f"/groups/{group_id}/imports", files=files), "読み込めませんでした。")

    async def preview(self, group_id: str, import_id: str) -> dict[str, Any]:
        """A preview made before."""
        return await self.get_json(f"/groups/{group_id}/imports/{import_id}")

    async def apply(self, group_id: str, import_id: str, body: dict[str, Any]) -> SaveResult:
        """Applies a preview, all or nothing."""
        path = f"/groups/{group_id}/imports/{import_id}/apply"
        return _saved(await self.send("POST", path, json=body), "取り込めませんでした。")

    async def group_step(self, group_id: str, step: str, body: dict[str, Any]) -> SaveResult:
        """A bulk step of a group: plan or results."""
        return _saved(await self.send("POST", f"/groups/{group_id}/{step}", json=body), "保存できませんでした。")

    async def cluster(self, patient_id: str) -> dict[str, Any]:
        """The transmission picture around an index patient."""
        return await self.get_json(f"/index-cases/{patient_id}/cluster")


def _saved(response: httpx.Response, failure: str) -> SaveResult:
    """A change's outcome: messages per field on 422, the message on 409, else the record."""
    if response.status_code == 422:
        try:
            body = response.json()
        except ValueError:
            body = {}
        errors = field_errors(body if isinstance(body, dict) else {})
        return SaveResult(errors={key or GENERAL_ERROR: message for key, message in errors.items()})
    if response.status_code == 409:
        return SaveResult(conflict=detail(response) or failure)
    if response.status_code not in (200, 201):
        raise BadRequest(detail(response) or failure)
    return SaveResult(record=response.json())
