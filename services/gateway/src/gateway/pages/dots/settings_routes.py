"""DOTSの設定: the F01 assessment items, the support intensities, how an assessment suggests a level, the numbers of
the cohort rules and the F02 checklist (R33). Reading needs マスタ管理 参照, a change マスタ管理 更新, as for the other
settings; each change is one setting with its reason, on the version the user saw."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.patients import PatientsClient
from gateway.web.deps import PatientsDep, require_access
from gateway.web.templating import flash, render

router = APIRouter()
CAN_READ = [Depends(require_access(Area.MASTERS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.MASTERS, Access.UPDATE))]
TITLES = {
    "assessment_items": "DOTSアセスメント（F01）の項目",
    "intensities": "支援強度と確認の間隔",
    "levels": "アセスメントから提案する支援強度とDOTSの種類",
    "cohort_rules": "コホート判定の規則の数値",
    "ltbi_checklist": "LTBI治療終了時のチェックリスト（F02）の項目",
}
# The basis of each number of the cohort rules, as patients/dots/cohort.py gives it (TB_PRACTICE §5.2).
RULES = {
    "window_first": ("治癒・失敗を判定する期間の始めの月", "結核医療の基準：6〜9か月目の検査（§5.2）"),
    "window_last": ("治癒・失敗を判定する期間の終わりの月", "結核医療の基準：6〜9か月目の検査（§5.2）"),
    "interruption_days": (
        "脱落・中断とする累計の中断日数",
        "結核医療の基準：9か月以内に累計2か月以上（60日と数える・[U]）",
    ),
    "first_months": ("累計の中断を数える治療開始からの月数", "結核医療の基準：最初の9か月（§5.2）"),
    "consecutive_days": ("連続した中断とする日数", "サーベイランスの区分：60日以上の連続中断（§5.2）"),
    "long_treatment_months": ("「12か月を超える治療」とする月数", "サーベイランスの区分（§5.2）"),
}
SEP = "｜"


def lines_of(value: list[Mapping[str, Any]], names: tuple[str, ...]) -> str:
    """A list setting as text, one item a line, its parts separated by ｜ (a high-risk item marked 高)."""

    def part(item: Mapping[str, Any], name: str) -> str:
        if name == "high":
            return "高" if item.get("high") else ""
        return str(item.get(name) or "")

    return "\n".join(SEP.join(part(item, name) for name in names).rstrip(SEP) for item in value)


LIST_PARTS = {"assessment_items": ("key", "group", "label", "high"), "ltbi_checklist": ("key", "label", "basis")}


def parse_lines(text: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """The lines typed back into items; patients checks each (a wrong key or group is named by its line)."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("|", SEP).split(SEP)] + [""] * len(names)
        item: dict[str, Any] = dict(zip(names, parts, strict=False))
        if "high" in item:
            item["high"] = item["high"] in ("高", "1", "○")
        items.append(item)
    return items


def value_of(key: str, posted: Mapping[str, str], current: Any) -> Any:
    """The setting's new value from the posted form."""
    if key in LIST_PARTS:
        return parse_lines(posted.get("lines", ""), LIST_PARTS[key])
    if key == "intensities":
        return {
            level: {"label": posted.get(f"{level}.label", ""), "interval_days": posted.get(f"{level}.interval_days")}
            for level in current
        }
    if key == "levels":
        types = {level: posted.get(f"type.{level}", "") for level in current.get("suggested_types", {})}
        return {"b_from_count": posted.get("b_from_count"), "suggested_types": types}
    return {name: posted.get(name) for name in current}


async def _page(
    request: Request,
    patients: PatientsClient,
    *,
    key: str = "",
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    conflict: str = "",
    status: int = 200,
) -> Response:
    settings = await patients.dots_settings()
    items = {item["key"]: item for item in settings.get("items", [])}
    texts = {k: lines_of(items[k]["value"], names) for k, names in LIST_PARTS.items() if k in items}
    context = {
        "settings": settings,
        "items": items,
        "titles": TITLES,
        "rules": RULES,
        "texts": texts,
        "failed": key,
        "typed": typed or {},
        "errors": errors or {},
        "conflict": conflict,
        "title": "DOTSの設定",
    }
    return render(request, "dots/settings.html", context, status_code=status)


@router.get("/settings", dependencies=CAN_READ)
async def settings_page(request: Request, patients: PatientsDep) -> Response:
    """Every DOTS setting in force, the default marked, with a form per setting for those who may change it."""
    return await _page(request, patients)


@router.post("/settings/{key}", dependencies=CAN_UPDATE)
async def change_setting(request: Request, key: str, patients: PatientsDep) -> Response:
    """Saves one setting; a wrong item is named beside that setting's form and nothing changes."""
    posted = {k: str(value) for k, value in (await request.form()).items()}
    settings = await patients.dots_settings()
    current = {item["key"]: item["value"] for item in settings.get("items", [])}
    if key not in current:
        return await _page(request, patients, errors={"_": "この設定はありません。"}, status=422)
    version = int(posted["version"]) if posted.get("version", "").isdigit() else 0
    reason = posted.get("reason", "").strip()
    if not reason:
        errors = {"reason": "変更の理由を入力してください（設定の履歴に残ります）。"}
        return await _page(request, patients, key=key, typed=posted, errors=errors, status=422)
    result = await patients.dots_change_setting(key, version, value_of(key, posted, current[key]), reason)
    if result.record is not None:
        flash(request, f"「{TITLES.get(key, key)}」を保存しました。")
        return RedirectResponse(f"/dots/settings#{key}-title", status_code=303)
    errors = {name.removeprefix("value."): message for name, message in (result.errors or {}).items()}
    return await _page(
        request,
        patients,
        key=key,
        typed=posted,
        errors=errors,
        conflict=result.conflict or "",
        status=409 if result.conflict else 422,
    )
