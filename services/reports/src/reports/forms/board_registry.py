"""The 診査会's printable forms and which of them a case can be printed with."""

from __future__ import annotations

from collections.abc import Callable

from reports.board_record.models import BoardRecord
from reports.forms.board import context_with
from reports.forms.spec import FormSpec, Genre

COVER_KINDS = frozenset({"37-2_new", "37-2_continuation", "37-2_change", "37_admission"})
BOARD_KINDS = COVER_KINDS | {"art20", "art20_extension", "art18"}
DECIDED = frozenset({"approved", "conditional", "refused"})


def _spec(form_id: str, title: str) -> FormSpec:
    return FormSpec(form_id, title, Genre.REVIEW_BOARD, f"{form_id.lower()}.html", context_with({}))


BOARD_FORMS: dict[str, FormSpec] = {
    spec.id: spec
    for spec in (
        _spec("F09", "（37-2）協議会結果（病院に送る）"),
        _spec("F10", "18条勧告文（就業制限通知書）"),
        _spec("F11", "19条勧告文（入院勧告書）"),
        _spec("F12", "20条勧告文（入院勧告書）"),
        _spec("F13", "37条決定通知書"),
        _spec("F14", "医療機関及び患者のあて名ラベル"),
        _spec("F15", "患者票"),
        _spec("F16", "諮問書"),
        _spec("F17", "委員用資料"),
        _spec("F28", "諮問書（委員用）"),
    )
}
MEASURE_ARTICLES = {"F10": ("18",), "F11": ("19",), "F12": ("20", "20_extension")}


def _decided_cover(case: BoardRecord) -> bool:
    return case.data.get("kind") in COVER_KINDS and case.data.get("decision") in DECIDED


def _to_the_board(case: BoardRecord) -> bool:
    return case.data.get("kind") in BOARD_KINDS


# what each form needs of a case besides a 患者票 or a 勧告, which the printing looks up
APPLIES: dict[str, Callable[[BoardRecord], bool]] = {
    "F09": _decided_cover,
    "F13": _decided_cover,
    "F16": _to_the_board,
    "F17": _to_the_board,
    "F28": _to_the_board,
    "F15": lambda case: case.data.get("kind") in COVER_KINDS,
    "F14": lambda case: True,
    "F10": lambda case: True,
    "F11": lambda case: True,
    "F12": lambda case: True,
}
