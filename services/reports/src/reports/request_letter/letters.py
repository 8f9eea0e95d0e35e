"""The letters between health centres: F30 (他自治体への依頼) and F27 (他自治体への回答), in the ward's own layout."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reports.forms.common import JST, iso_date, wareki, wareki_both
from reports.forms.letterhead import Letterhead
from reports.forms.spec import FormSpec, Genre

INFECTIOUSNESS = {"high": "高感染性", "low": "低感染性", "none": "感染性なし", "unknown": "評価中"}


@dataclass(frozen=True)
class LetterInput:
    """A request as the read model holds it, who signs, when and by whom it is printed."""

    request: Mapping[str, Any]
    sender: str
    printed_at: datetime
    printed_by: str
    letterhead: Letterhead | None = None  # masters' letterhead, else only the configured signer (`sender`)


def _common(data: LetterInput) -> dict[str, object]:
    r = data.request
    return {
        "sender": data.sender,
        "inquiry": data.letterhead.inquiry if data.letterhead else "",
        "reference": r.get("reference") or "",
        "dated": wareki(data.printed_at.astimezone(JST).date()),
        "counterpart": r["counterpart_name"],
        "section": r.get("counterpart_section") or "",
        "requested_on": wareki_both(iso_date(r.get("requested_on"))),
        "reply_by": wareki_both(iso_date(r.get("reply_by"))) or "特になし",
        "infectiousness": INFECTIOUSNESS.get(r.get("index_infectiousness") or "unknown", ""),
        "diagnosed_on": wareki(iso_date(r.get("index_diagnosed_on"))) or "—",
        "infectious_from": wareki(iso_date(r.get("index_infectious_from"))) or "—",
        "infectious_until": wareki(iso_date(r.get("index_infectious_until"))) or "—",
        "summary": r.get("index_summary") or "",
        "index_label": r.get("index_label") or "",
        "attachments": "、".join(r.get("attachments") or []) or "なし",
        "people": [
            {
                "name": i["name"],
                "kana": i.get("name_kana") or "",
                "birth": wareki(iso_date(i.get("birth_date"))) or "不明",
                "address": i.get("address") or "",
                "recommended": i.get("recommended") or "",
                "results": "、".join(_result(text) for text in i.get("results") or []) or "未実施",
                "note": i.get("reply_note") or "",
            }
            for i in r.get("items") or []
        ],
    }


def _result(text: str) -> str:
    """A result as contacts words it ("2026-11-30 IGRA（QFT） 陰性"), its day in 和暦."""
    day, _, rest = text.partition(" ")
    parsed = iso_date(day)
    return f"{wareki(parsed)} {rest}" if parsed else text


def f30_context(data: LetterInput) -> Mapping[str, object]:
    """他自治体への依頼: what the addressee needs to examine our contacts, no more of the index patient."""
    return _common(data)


def f27_context(data: LetterInput) -> Mapping[str, object]:
    """他自治体への回答: the results of the people the sender asked us to examine."""
    return _common(data)


LETTERS: dict[str, tuple[FormSpec, str]] = {
    "F30": (
        FormSpec("F30", "他自治体への依頼（結核接触者健康診断）", Genre.CONTACT_SCREENING, "f30.html", f30_context),  # type: ignore[arg-type]
        "outgoing",
    ),
    "F27": (
        FormSpec("F27", "他自治体への回答（結核接触者健康診断）", Genre.CONTACT_SCREENING, "f27.html", f27_context),  # type: ignore[arg-type]
        "incoming",
    ),
}


# 接触の場 as seeded, for snapshots sent before they carried the コード表's label (setting_label).
SETTINGS = {
    "household": "同居家族",
    "family": "別居家族",
    "workplace": "職場",
    "school": "学校",
    "medical": "医療機関",
    "facility": "施設",
    "aircraft": "航空機",
    "other": "その他",
}
EXAM_LABELS = {
    "igra_qft": "IGRA（QFT）",
    "igra_tspot": "IGRA（T-SPOT）",
    "tst": "ツベルクリン反応",
    "xray": "胸部X線",
    "sputum": "喀痰検査",
}
RESULT_LABELS = {
    "positive": "陽性",
    "negative": "陰性",
    "borderline": "判定保留",
    "invalid": "判定不可",
    "normal": "異常なし",
    "follow_up": "要経過観察",
    "suspected": "結核疑い（要精密検査）",
    "other": "その他の所見",
    "pending": "結果待ち",
}
SEXES = {"male": "男", "female": "女"}


@dataclass(frozen=True)
class InformationInput:
    """A contact as the read model holds it, the institution written to, who signs, when and by whom."""

    contact: Mapping[str, Any]
    institution: str
    doctor: str
    purpose: str
    sender: str
    printed_at: datetime
    printed_by: str
    letterhead: Letterhead | None = None


def f20_context(data: InformationInput) -> Mapping[str, object]:
    """情報提供書: the contact, the exposure and the screening done, for the institution that examines or treats."""
    c = data.contact
    return {
        "sender": data.sender,
        "inquiry": data.letterhead.inquiry if data.letterhead else "",
        "dated": wareki(data.printed_at.astimezone(JST).date()),
        "institution": data.institution,
        "doctor": data.doctor,
        "purpose": data.purpose,
        "name": c["name"],
        "kana": c.get("name_kana") or "",
        "sex": SEXES.get(c.get("sex") or "", ""),
        "birth": wareki_both(iso_date(c.get("birth_date"))) or "不明",
        "address": c.get("address") or "",
        "exposures": [
            {
                "setting": e.get("setting_label") or SETTINGS.get(e.get("setting") or "", e.get("setting") or ""),
                "period": f"{wareki(iso_date(e.get('first_contact_on'))) or '—'} 〜 "
                f"{wareki(iso_date(e.get('last_contact_on'))) or '—'}",
                "hours": f"{e['hours']:g}時間" if e.get("hours") is not None else "不明",
                "infectiousness": INFECTIOUSNESS.get(e.get("infectiousness") or "unknown", ""),
            }
            for e in c.get("exposures") or []
        ],
        "exams": [
            {
                "kind": EXAM_LABELS.get(x["kind"], x["kind"]),
                "done_on": wareki(iso_date(x.get("done_on"))),
                "result": RESULT_LABELS.get(x.get("result") or "", "") or x.get("finding") or "",
                "value": x.get("value") or x.get("finding") or "",
            }
            for x in c.get("exams") or []
            if x.get("status") == "done"
        ],
    }


F20 = FormSpec("F20", "情報提供書（結核接触者健康診断）", Genre.CONTACT_SCREENING, "f20.html", f20_context)  # type: ignore[arg-type]
