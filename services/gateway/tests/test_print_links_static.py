"""Printing opens a new tab and leaves the page the user works on (N27). Read from the templates themselves (nothing
is rendered): every link, form or button that opens a printed form or a PDF (the routes the page sweep lists as 「a
PDF」, and the POSTs that print one and answer with it) opens it in a new tab and tells so in its text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gateway.web.templating import TEMPLATES_DIR

pytestmark = pytest.mark.req("N27", partial=True)

JINJA = r"\{\{[^}]*\}\}"
# what a template writes as the address of a PDF, with Jinja's {{ … }} for the ids
PRINTED = [
    re.compile(pattern.replace("{ID}", JINJA))
    for pattern in (
        r"^/contacts/forms/F18\b",
        r"^/contacts/{ID}/forms/F\d\d\b",
        r"^/contacts/{ID}/notices/F29\b",
        r"^/contacts/index-patients/{ID}/F05\b",
        r"^/contacts/reception/F2[45]\b",
        r"^/requests/{ID}/letter/",
        r"/print\?forms=",
        r"^/documents/forms/{ID}/preview\b",
        r"^/documents/templates/{ID}/preview\b",
        r"^/documents/batches/{ID}/pdf\b",
        r"^/documents/{ID}$",
        r"^/(dots/)?patients/{ID}/documents$",  # POST: prints F01–F08 and answers with the PDF
        r"^/followup/patients/{ID}/notice$",  # POST: prints F29
    )
]
OPENER = re.compile(r'<(a|form|button)\b[^>]*?\b(href|action|formaction)="([^"]+)"', re.DOTALL)
NEW_TAB = "（新しいタブで開きます）"


def openers() -> list[tuple[str, str, str, str]]:
    """Every link, form and button of the templates that opens a PDF: where (template:line), tag name, the start
    tags that decide where it opens (a button's form too) and the text the user gets with it (a form's whole)."""
    found = []
    for path in sorted(Path(TEMPLATES_DIR).rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in OPENER.finditer(text):
            name, url = match.group(1), match.group(3)
            if not any(pattern.search(url) for pattern in PRINTED):
                continue
            end = text.index(">", match.end()) + 1
            tag, told = text[match.start() : end], text[match.start() : text.index(f"</{name}>", end)]
            if name == "button":  # a formaction opens where its formtarget or its form's target says
                form = text.rfind("<form", 0, match.start())
                tag = text[form : text.index(">", form) + 1] + tag
            where = f"{path.relative_to(TEMPLATES_DIR)}:{text.count(chr(10), 0, match.start()) + 1}"
            found.append((where, name, tag, told))
    return found


def test_the_sweep_finds_the_printed_forms_of_the_contact_page() -> None:
    where = {(where.split(":")[0], name) for where, name, _, _ in openers()}
    assert {("contacts/_screening.html", "a"), ("contacts/_recommendation.html", "a")} <= where
    assert {("followup/investigation.html", "form"), ("contacts/list.html", "button")} <= where


@pytest.mark.parametrize(("where", "name", "tag", "told"), [pytest.param(*o, id=o[0]) for o in openers()])
def test_a_printed_form_opens_in_a_new_tab_and_says_so(where: str, name: str, tag: str, told: str) -> None:
    assert re.search(r'\b(form)?target="_blank"', tag), f"{where} opens a PDF in place of the page: {tag}"
    assert NEW_TAB in told, f"{where} does not say that it opens a new tab: {told}"
