"""Renders registered forms: Jinja2 templates to HTML, WeasyPrint to A4 PDF."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reports.forms.common import printed_at_label
from reports.forms.spec import FormInput, FormSpec

TEMPLATES = Path(__file__).parent / "templates"
BASE_TEMPLATE = "base.html"
STYLESHEET = "forms.css"
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per step otherwise


class FormRenderer:
    """Turns a form and its input into PDF bytes; one rendering thread, as WeasyPrint is not thread-safe."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
        )
        self._fonts = FontConfiguration()
        self._css = CSS(filename=str(TEMPLATES / STYLESHEET), font_config=self._fonts)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weasyprint")

    def render_html(self, spec: FormSpec, data: FormInput) -> str:
        """The form as HTML, with the page furniture of the base template."""
        context = {
            "form": spec,
            "template_version": template_version(spec),
            "printed_at": printed_at_label(data.printed_at),
            "printed_by": data.printed_by,
            **spec.build_context(data),
        }
        return self.env.get_template(spec.template).render(context)

    def render_pdf_sync(self, spec: FormSpec, data: FormInput) -> bytes:
        """The form as an A4 PDF with embedded Japanese font subsets (blocks the calling thread)."""
        html = HTML(string=self.render_html(spec, data), base_url=str(TEMPLATES))
        return html.write_pdf(stylesheets=[self._css], font_config=self._fonts)

    def render_merged_pdf_sync(self, items: Sequence[tuple[FormSpec, FormInput]]) -> bytes:
        """Several forms as one PDF, each keeping its own pages and page numbers (a session's papers at once)."""
        documents = [
            HTML(string=self.render_html(spec, data), base_url=str(TEMPLATES)).render(
                stylesheets=[self._css], font_config=self._fonts
            )
            for spec, data in items
        ]
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf()

    async def render_merged_pdf(self, items: Sequence[tuple[FormSpec, FormInput]]) -> bytes:
        """Several forms as one PDF, rendered off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.render_merged_pdf_sync, items)

    async def render_pdf(self, spec: FormSpec, data: FormInput) -> bytes:
        """The form as an A4 PDF, rendered off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.render_pdf_sync, spec, data)


@cache
def template_version(spec: FormSpec) -> str:
    """The form's revision and a digest of the template files it is printed with, e.g. `1+3fa2b9c1`."""
    digest = hashlib.sha256()
    for name in (BASE_TEMPLATE, STYLESHEET, spec.template):
        digest.update((TEMPLATES / name).read_bytes())
    return f"{spec.revision}+{digest.hexdigest()[:8]}"
