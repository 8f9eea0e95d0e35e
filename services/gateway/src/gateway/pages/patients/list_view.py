"""What the 患者一覧 shows: the sort and filters read from the URL (so a list can be bookmarked and shared), the
sortable headers with their aria-sort, and each patient's 注意事項 and 次回予定 in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

PAGE_SIZE = 50
MAX_PAGE = 201  # patients refuses offsets past tbms_core.web.MAX_OFFSET (10,000): filters narrow a list instead

SORTS = {  # the columns a nurse sorts by, with the order a first click gives
    "registered_on": ("登録日", True),
    "name_kana": ("氏名カナ", False),
    "birth_date": ("生年月日", False),
    "district": ("地区", False),
    "nurse": ("担当保健師", False),
    "next_due_on": ("次回予定", False),
}
CATEGORIES = (("patient", "患者"), ("recovered", "回復者"), ("ltbi", "潜在性結核感染症"), ("provisional", "仮登録"))
STATUSES = (("active", "登録中"), ("excluded", "登録除外"))
ACTIVITIES = (
    ("active", "活動性"),
    ("inactive", "不活動性"),
    ("unknown", "活動性不明"),
    ("ltbi", "潜在性結核感染症"),
    ("none", "未判定"),
)
AGE_BANDS = (
    ("0-14", "0〜14歳"),
    ("15-39", "15〜39歳"),
    ("40-64", "40〜64歳"),
    ("65-79", "65〜79歳"),
    ("80-", "80歳以上"),
)
ALERTS = (("any", "注意事項あり"), ("urgent", "要対応あり"), ("none", "注意事項なし"))
DATE_ORDER_WORDS = {  # (ascending, descending) of a date column
    "registered_on": ("古い順", "新しい順"),
    "birth_date": ("古い順", "新しい順"),
    "next_due_on": ("早い順", "遅い順"),
}
ACTIVITY_LABELS = dict(ACTIVITIES[:4])
FILTERS = ("district", "nurse", "category", "status", "activity", "age_band", "alerts")
CLOSED_CHOICES = {
    "category": CATEGORIES,
    "status": STATUSES,
    "activity": ACTIVITIES,
    "age_band": AGE_BANDS,
    "alerts": ALERTS,
}


@dataclass
class ListQuery:
    """The list's sort, filters and page as the URL carries them; anything unknown is dropped, not an error."""

    sort: str = "registered_on"
    descending: bool = True
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1

    @classmethod
    def of(cls, params: Mapping[str, str]) -> ListQuery:
        """The query of a request's parameters."""
        sort = params.get("sort", "")
        sort = sort if sort in SORTS else "registered_on"
        order = params.get("order", "")
        descending = order == "desc" if order in ("asc", "desc") else SORTS[sort][1]
        filters = {}
        for name in FILTERS:
            value = (params.get(name) or "").strip()[:100]
            closed = CLOSED_CHOICES.get(name)
            if value and (closed is None or value in dict(closed)):
                filters[name] = value
        try:
            page = int(params.get("page") or 1)
        except ValueError:
            page = 1
        return cls(sort, descending, filters, max(1, min(page, MAX_PAGE)))

    def api_params(self) -> dict[str, str]:
        """What the patients API is asked."""
        return {"sort": self.sort, "descending": str(self.descending).lower(), **self.filters}

    def url(self, **changes: Any) -> str:
        """This list's URL with some parameters changed (a changed sort or filter starts again at page 1)."""
        params: dict[str, Any] = {**self.filters, "sort": self.sort, "order": "desc" if self.descending else "asc"}
        params |= {"page": self.page} if self.page > 1 else {}
        params |= changes
        kept = {k: v for k, v in params.items() if v not in ("", None) and not (k == "page" and v == 1)}
        return "/patients?" + urlencode(kept) if kept else "/patients"

    def aria_sort(self, key: str) -> str | None:
        """The header's aria-sort: only the sorted column says how."""
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def sort_url(self, key: str) -> str:
        """Sorting by a column: its usual order first, the other way on a second click."""
        descending = not self.descending if key == self.sort else SORTS[key][1]
        return self.url(sort=key, order="desc" if descending else "asc", page=1)

    def sort_hint(self, key: str) -> str:
        """What a click on the header does, for a screen reader."""
        descending = not self.descending if key == self.sort else SORTS[key][1]
        return "降順に並べ替え" if descending else "昇順に並べ替え"

    @property
    def described(self) -> str:
        """The order in words (登録日の新しい順…)."""
        label = SORTS[self.sort][0]
        words = DATE_ORDER_WORDS.get(self.sort, ("昇順", "降順"))
        return f"{label}の{words[self.descending]}"


def nurse_label(username: str, names: Mapping[str, str]) -> str:
    """A 担当保健師 as a person reads it: the name from the staff assignments, with the user name."""
    if not username:
        return "未割当"
    name = names.get(username)
    return f"{name}（{username}）" if name else username


def nurse_choices(names: Mapping[str, str]) -> list[tuple[str, str]]:
    """The nurses assigned in masters, by name (counting every patient's nurse for a choice would cost the list a
    scan of the register; the 担当保健師 list does that)."""
    return sorted(((u, nurse_label(u, names)) for u in names), key=lambda choice: choice[1])


def nurse_rows(loads: list[dict[str, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The 担当保健師 list: each nurse with counts (an assigned nurse without patients too), 未割当 last."""
    rows = {str(row["nurse"]): dict(row) for row in loads}
    for username in names:
        rows.setdefault(
            username, {"nurse": username, "districts": [], "total": 0, "active": 0, "with_alerts": 0, "urgent": 0}
        )
    ordered = sorted((r for r in rows.values() if r["nurse"]), key=lambda r: nurse_label(r["nurse"], names))
    ordered += [r for r in rows.values() if not r["nurse"]]
    for row in ordered:
        row["label"] = nurse_label(row["nurse"], names)
    return ordered
