"""外字 on printed forms (N26): every text a form prints follows the health center's policy: the registered
substitute when it substitutes, else 〓 for a character the forms' fonts (JIS X 0213) cannot carry, never a blank
box; what the fonts carry prints as stored."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, date, datetime

import pytest
from reports.forms.registry import form_spec
from reports.forms.render import FormRenderer, TemplateSource
from reports.forms.spec import FormInput
from reports.patient_summary.models import PatientSummary
from tbms_core.jp.gaiji import GaijiMode, GaijiPolicy

PRINTED_AT = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
SUBSTITUTE = GaijiPolicy(GaijiMode.SUBSTITUTE, {"𠮷": "吉"})


def patient(name: str, address: str = "東京都世田谷区世田谷四丁目21番27号") -> FormInput:
    """A synthetic patient whose name or address holds 外字."""
    summary = PatientSummary(
        id=uuid.uuid4(),
        version=1,
        registration_no="2026-00077",
        registered_on=date(2026, 4, 8),
        category="patient",
        name=name,
        name_kana="ヨシダ ハナコ",
        sex="female",
        birth_date=date(1970, 3, 1),
        postal_code="154-0017",
        address=address,
        phone="",
        status="active",
        district="世田谷",
        nurse="",
        excluded_on=None,
    )
    return FormInput(summary, PRINTED_AT, "看護 一郎（nurse1）")


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.mark.req("N26", partial=True)
class TestPrintedGaiji:
    def test_the_registered_substitute_is_printed_and_what_the_fonts_carry_stays(self) -> None:
        renderer = FormRenderer(policy=SUBSTITUTE)
        try:
            pdf = renderer.render_pdf_sync(form_spec("F03"), patient("𠮷田 花子", "東京都世田谷区森鷗外町1番"))
        finally:
            renderer.close()

        text = pdf_text(pdf)
        assert "吉田 花子" in text and "𠮷" not in text
        assert "森鷗外町" in text  # JIS X 0213: the fonts carry it

    def test_without_a_substitute_the_form_prints_geta_not_a_blank_box(self) -> None:
        renderer = FormRenderer()
        try:
            html = renderer.render_html(form_spec("F03"), patient("𠮷田 花子"))
        finally:
            renderer.close()

        assert "〓田 花子" in html and "𠮷" not in html

    def test_an_uploaded_template_follows_the_policy_too(self) -> None:
        renderer = FormRenderer(policy=SUBSTITUTE)
        source = TemplateSource("9+test", "<p>{{ name }}</p>", "")
        try:
            html = renderer.render_html(form_spec("F03"), patient("𠮷田 花子"), source)
        finally:
            renderer.close()

        assert "<p>吉田 花子</p>" in html
