"""The masters service: reference data (医療機関, 医師, 保健所…), its edit history, import and export (R25, R26)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from tbms_core.jp.gaiji import registered_substitutes

from gateway.clients.base import SaveResult, ServiceClient, detail, field_errors
from gateway.forms import GENERAL_ERROR
from gateway.web.downloads import checked
from gateway.web.errors import BadRequest, PageError, PageNotFound

log = logging.getLogger(__name__)
DISTRICTS_TTL_SECONDS = 60.0  # an administrator's change to the districts shows within a minute
DISTRICTS_TIMEOUT_SECONDS = 3.0  # the districts only fill a choice: a slow masters must not hold up the page
KINDS_TTL_SECONDS = 300.0  # the kinds and their fields change only with a release of masters
SUGGEST_TIMEOUT_SECONDS = 3.0  # suggestions come while typing: late ones are of no use
MAX_QUERY = 100
EXPORT_FORMATS = ("csv", "xlsx")
# masters names a refused item of a change or of a new row's data with its place in the body; forms use the key
ERROR_PREFIXES = ("changes.data.", "changes.", "data.")


@dataclass(frozen=True)
class FieldSpec:
    """One item of a kind's data as masters describes it (GET /masters/kinds)."""

    key: str
    label: str
    type: str = "text"  # text date bool int choice multiline ref
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    ref_kind: str = ""
    hint: str = ""

    @classmethod
    def of(cls, body: dict[str, Any]) -> FieldSpec:
        """A field spec from masters' JSON."""
        choices = body.get("choices") or {}
        return cls(
            key=str(body["key"]),
            label=str(body.get("label") or body["key"]),
            type=str(body.get("type") or "text"),
            required=bool(body.get("required")),
            choices=tuple((str(value), str(label)) for value, label in choices.items()),
            ref_kind=str(body.get("ref_kind") or ""),
            hint=str(body.get("hint") or ""),
        )


@dataclass(frozen=True)
class MasterKind:
    """One kind of master (医療機関, 医師…): its name, what its code and name are called, its data items in order."""

    kind: str
    label: str
    code_label: str
    fields: tuple[FieldSpec, ...]
    code_hint: str = ""
    name_label: str = "名称"
    code_derived: bool = False  # masters makes the code from the data when it is left blank (コード表, 人口…)
    name_derived: bool = False

    @classmethod
    def of(cls, body: dict[str, Any]) -> MasterKind:
        """A kind from masters' JSON."""
        return cls(
            kind=str(body["kind"]),
            label=str(body.get("label") or body["kind"]),
            code_label=str(body.get("code_label") or "コード"),
            fields=tuple(FieldSpec.of(spec) for spec in body.get("fields") or []),
            code_hint=str(body.get("code_hint") or ""),
            name_label=str(body.get("name_label") or "名称"),
            code_derived=bool(body.get("code_derived")),
            name_derived=bool(body.get("name_derived")),
        )

    def spec(self, key: str) -> FieldSpec | None:
        """The data item with this key, if the kind has one."""
        return next((spec for spec in self.fields if spec.key == key), None)


class MastersClient(ServiceClient):
    """masters' REST API as one user sees it."""

    async def districts(self) -> tuple[str, ...]:
        """The district names in their usual order, kept a minute; none while masters cannot be reached.

        Pages then ask for the district as free text instead of failing.
        """
        try:
            return await self.cache.get("masters:districts", DISTRICTS_TTL_SECONDS, self._read_districts)
        except (PageError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("districts unavailable from masters: %s", type(exc).__name__)
            return ()

    async def _read_districts(self) -> tuple[str, ...]:
        response = await self.send("GET", "/districts", timeout=DISTRICTS_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise ValueError(f"masters answered {response.status_code}")
        return tuple(str(district["name"]) for district in response.json())

    async def nurse_names(self) -> dict[str, str]:
        """保健師名 by user name, from the staff assignments valid today (kept a minute); none while masters cannot
        be reached, so a page then shows the user names patients record."""
        try:
            return await self.cache.get("masters:nurse-names", DISTRICTS_TTL_SECONDS, self._read_nurse_names)
        except (PageError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("staff assignments unavailable from masters: %s", type(exc).__name__)
            return {}

    async def _read_nurse_names(self) -> dict[str, str]:
        response = await self.send(
            "GET", _kind_path("staff_assignment"), params={"limit": 500}, timeout=DISTRICTS_TIMEOUT_SECONDS
        )
        if response.status_code != 200:
            raise ValueError(f"masters answered {response.status_code}")
        names: dict[str, str] = {}
        for row in response.json()["items"]:
            data = row.get("data") or {}
            if data.get("nurse_username") and data.get("nurse_name"):
                names.setdefault(str(data["nurse_username"]), str(data["nurse_name"]))
        return names

    async def gaiji_substitutes(self) -> dict[str, str]:
        """{外字: 代替文字} of the 外字 master valid today (kept a minute); none while masters cannot be reached, so
        the input check then falls back on the settings' table."""
        try:
            return await self.cache.get("masters:gaiji", DISTRICTS_TTL_SECONDS, self._read_gaiji)
        except (PageError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("外字 master unavailable from masters: %s", type(exc).__name__)
            return {}

    async def _read_gaiji(self) -> dict[str, str]:
        params = {"limit": 500}
        response = await self.send("GET", _kind_path("gaiji"), params=params, timeout=DISTRICTS_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise ValueError(f"masters answered {response.status_code}")
        return registered_substitutes(response.json()["items"])

    async def nurse_lookup(self, district: str, address: str) -> dict[str, Any] | None:
        """The nurse masters proposes for an address (its staff assignments by district and 町丁目), with the
        district's other nurses and the basis; None while masters cannot be reached (nothing is proposed then)."""
        try:
            response = await self.send(
                "GET",
                "/masters/staff_assignment/lookup",
                params={"district": district[:100], "address": address[:300]},
                timeout=DISTRICTS_TIMEOUT_SECONDS,
            )
        except PageError as exc:
            log.warning("nurse lookup unavailable from masters: %s", type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("nurse lookup: masters answered %s", response.status_code)
            return None
        found = response.json()
        return found if isinstance(found, dict) else None

    async def kinds(self) -> tuple[MasterKind, ...]:
        """Every kind of master in display order, kept a few minutes per gateway process."""
        return await self.cache.get("masters:kinds", KINDS_TTL_SECONDS, self._read_kinds)

    async def _read_kinds(self) -> tuple[MasterKind, ...]:
        body = await self.get_json("/masters/kinds")
        items = body.get("items", []) if isinstance(body, dict) else body
        return tuple(MasterKind.of(item) for item in items)

    async def kind(self, kind: str) -> MasterKind:
        """One kind; an unknown one is a missing page."""
        found = next((k for k in await self.kinds() if k.kind == kind), None)
        if found is None:
            raise PageNotFound("指定されたマスタはありません。")
        return found

    async def records(
        self, kind: str, *, q: str = "", include_ended: bool = False, limit: int = 50, offset: int = 0
    ) -> dict[str, Any]:
        """One page of a master's rows matching code, name or カナ: {"items": [...], "total": n}."""
        params = {"q": q[:MAX_QUERY], "include_ended": str(include_ended).lower(), "limit": limit, "offset": offset}
        body = await self.get_json(_kind_path(kind), **params)
        return {"items": list(body.get("items", [])), "total": int(body.get("total") or 0)}

    async def suggest(self, kind: str, q: str, *, ref: str = "", limit: int = 10) -> list[dict[str, Any]]:
        """Rows valid today whose code, name or カナ match what is typed; `ref` narrows doctors to an institution."""
        params: dict[str, Any] = {"q": q[:MAX_QUERY], "limit": limit}
        if ref:
            params["ref"] = ref
        response = await self.send("GET", f"{_kind_path(kind)}/suggest", params=params, timeout=SUGGEST_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise BadRequest(detail(response) or None)
        body = response.json()
        return list(body.get("items", []) if isinstance(body, dict) else body)

    async def record(self, kind: str, code: str) -> dict[str, Any]:
        """One row (MasterRead)."""
        return await self.get_json(_record_path(kind, code))

    async def create_record(self, kind: str, body: dict[str, Any]) -> SaveResult:
        """Adds a row: the stored row, or a Japanese message per field (a wrong check digit, a taken code)."""
        response = await self.send("POST", _kind_path(kind), json=body)
        return _saved(response, "登録できませんでした。")

    async def change_record(
        self, kind: str, code: str, version: int | str, changes: dict[str, Any], reason: str
    ) -> SaveResult:
        """Saves changes based on the version the user saw (409 when someone saved first)."""
        body = {"version": _version(version), "changes": changes, "reason": reason}
        response = await self.send("PATCH", _record_path(kind, code), json=body)
        return _saved(response, "保存できませんでした。")

    async def end_record(self, kind: str, code: str, version: int | str, valid_to: str, reason: str) -> SaveResult:
        """Ends a row on a day (the only way to retire one: rows in use are never deleted)."""
        body = {"version": _version(version), "valid_to": valid_to, "reason": reason}
        response = await self.send("POST", f"{_record_path(kind, code)}/end", json=body)
        return _saved(response, "終了できませんでした。")

    async def history(self, kind: str, code: str) -> list[dict[str, Any]]:
        """The row's edit history (修正履歴), newest first."""
        body = await self.get_json(f"{_record_path(kind, code)}/history")
        return list(body.get("items", []))

    async def export(self, kind: str, file_format: str, written: dict[str, str] | None = None) -> httpx.Response:
        """Every row of a master as an open CSV (in the encoding `written` asks) or Excel download, to be relayed
        and then closed."""
        if file_format not in EXPORT_FORMATS:
            raise PageNotFound()
        params = written if file_format == "csv" and written else None
        response = await self.send("GET", f"{_kind_path(kind)}/export.{file_format}", params=params, stream=True)
        return await checked(response, "出力できませんでした。")

    async def upload_import(self, kind: str, filename: str, content: bytes, content_type: str) -> SaveResult:
        """Sends a CSV or Excel file for a preview (nothing is stored but the preview and the file)."""
        files = {"file": (filename, content, content_type or "application/octet-stream")}
        response = await self.send("POST", f"{_kind_path(kind)}/imports", files=files)
        return _saved(response, "ファイルを読み込めませんでした。")

    async def import_preview(self, import_id: str) -> dict[str, Any]:
        """An uploaded file's preview: per row new / changed / unchanged / error, and the counts."""
        return await self.get_json(f"/masters/imports/{quote(import_id, safe='')}")

    async def apply_import(self, import_id: str) -> SaveResult:
        """Applies a preview's new and changed rows, all or nothing (refused while any row is an error)."""
        response = await self.send("POST", f"/masters/imports/{quote(import_id, safe='')}/apply")
        return _saved(response, "取り込めませんでした。")


def _kind_path(kind: str) -> str:
    return f"/masters/{quote(kind, safe='')}"


def _record_path(kind: str, code: str) -> str:
    return f"{_kind_path(kind)}/{quote(code, safe=':')}"  # codes such as occupation:01 keep their colon


def _version(version: int | str) -> int | str:
    text = str(version)
    return int(text) if text.isdigit() else text


def _saved(response: httpx.Response, failure: str) -> SaveResult:
    """A change's outcome: field messages on 422 (under the form's names), the message on 409, else the row."""
    if response.status_code == 422:
        try:
            body = response.json()
        except ValueError:
            body = {}
        errors = field_errors(body if isinstance(body, dict) else {})
        return SaveResult(errors={_form_key(key): message for key, message in errors.items()})
    if response.status_code == 409:
        return SaveResult(conflict=detail(response) or failure)
    if response.status_code not in (200, 201):
        raise BadRequest(detail(response) or failure)
    return SaveResult(record=response.json())


def _form_key(key: str) -> str:
    for prefix in ERROR_PREFIXES:
        if key.startswith(prefix):
            return key.removeprefix(prefix)
    return key if key else GENERAL_ERROR
