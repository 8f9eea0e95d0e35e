"""The registry of printable forms: one entry per form of 別紙2."""

from __future__ import annotations

from tbms_core.jp.text import normalize_input

from reports.document.errors import UnknownForm
from reports.forms import f01, f02, f03, f04, f06, f07, f08, f29
from reports.forms.spec import FormSpec, Genre

FORMS: dict[str, FormSpec] = {
    spec.id: spec
    for spec in (
        FormSpec(
            "F01",
            "DOTSアセスメントシート",
            Genre.PATIENTS,
            "f01.html",
            f01.build_context,
            revision="1",
            required=f01.REQUIRED,
            stamp_boxes=True,
        ),
        FormSpec(
            "F02",
            "LTBI治療終了後の管理に関するチェックリスト",
            Genre.PATIENTS,
            "f02.html",
            f02.build_context,
            revision="1",
            required=f02.REQUIRED,
            stamp_boxes=True,
        ),
        FormSpec(
            "F03",
            "結核登録票",
            Genre.PATIENTS,
            "f03.html",
            f03.build_context,
            revision="1",
            required=f03.REQUIRED,
            stamp_boxes=True,
        ),
        FormSpec(
            "F04",
            "治療・服薬支援の経過",
            Genre.PATIENTS,
            "f04.html",
            f04.build_context,
            revision="1",
            stamp_boxes=True,
        ),
        FormSpec(
            "F06",
            "経過記録（2号記録）",
            Genre.PATIENTS,
            "f06.html",
            f06.build_context,
            revision="1",
            stamp_boxes=True,
        ),
        FormSpec(
            "F07",
            "結核患者服薬支援個別計画及び実施報告書",
            Genre.PATIENTS,
            "f07.html",
            f07.build_context,
            revision="1",
            required=f07.REQUIRED,
            stamp_boxes=True,
        ),
        FormSpec(
            "F08",
            "行動調査票",
            Genre.PATIENTS,
            "f08.html",
            f08.build_context,
            revision="2",  # 第2版 of the 行動調査票: the footer prints it after the title
            stamp_boxes=True,
        ),
        FormSpec("F29", "管理検診お知らせ", Genre.CONTACT_SCREENING, "f29.html", f29.build_context, revision="1"),
    )
}


def form_spec(form_id: str) -> FormSpec:
    """The form with that id (F03, f03, Ｆ０３ all name the same form), or UnknownForm."""
    spec = FORMS.get(normalize_input(form_id).upper())
    if spec is None:
        raise UnknownForm(errors={"form": f"帳票「{form_id}」はありません。帳票の番号を確認してください。"})
    return spec
