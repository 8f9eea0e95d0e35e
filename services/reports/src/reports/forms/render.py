"""Renders registered forms: Jinja2 templates to HTML, WeasyPrint to A4 PDF.

A form prints from its built-in template files, or from a version an administrator uploaded (様式改正): that
HTML runs in Jinja's sandbox and, like every form, may fetch nothing but the files beside the built-in templates.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from jinja2 import (
    ChoiceLoader,
    DictLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from tbms_core.jp.gaiji import GaijiPolicy, output_text
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from reports.circulation_stamp.stamps import Stamps
from reports.forms.common import printed_at_label
from reports.forms.spec import FormInput, FormSpec

TEMPLATES = Path(__file__).parent / "templates"
BASE_TEMPLATE = "base.html"
STYLESHEET = "forms.css"
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per step otherwise


def stamps_to_print(spec: FormSpec, data: object) -> Stamps | None:
    """The stamp boxes a form prints: its input's (the record's 回議), else every box 未決裁; None for a form without
    boxes (letters), so a form with boxes never prints them empty and a draft never passes for a decision."""
    stamps = getattr(data, "stamps", None)
    if not spec.stamp_boxes:
        return stamps
    return stamps if isinstance(stamps, Stamps) else Stamps()


class UploadedTemplateFailed(ValueError):
    """An uploaded template could not be rendered (a sandbox refusal, an unknown item name, a broken tag)."""


class ForbiddenResource(ValueError):
    """A form asked for a file or URL outside its own templates."""


@dataclass(frozen=True)
class TemplateSource:
    """An uploaded version of a form's template: its HTML (Jinja) and CSS, and the version it is stored as."""

    version: str  # e.g. "2+1a2b3c4d": the revision and a digest of the HTML and CSS
    html: str
    css: str


class LocalOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher limited to data: URIs and the files beside the templates (no network, no other file)."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> object:
        """The resource, when it is one a form may use; ForbiddenResource otherwise (the PDF prints without it)."""
        if url.startswith("file://"):
            path = Path(unquote(url.removeprefix("file://")).split("?")[0]).resolve()
            if not path.is_relative_to(TEMPLATES.resolve()):
                raise ForbiddenResource(url)
        elif not url.startswith("data:"):
            raise ForbiddenResource(url)
        return super().fetch(url, headers)


local_only = LocalOnlyFetcher(allowed_protocols=("file", "data"))


PolicySource = GaijiPolicy | Callable[[], GaijiPolicy] | None


def printable(policy: PolicySource) -> Callable[[object], object]:
    """Jinja's finalize for forms (N26): every printed text as the 外字 policy prints it (a registered substitute,
    else 〓 for a character the fonts cannot carry), so a form never shows a blank box for a name. A callable
    policy is asked at each text: the 外字 master in force when the form is printed."""

    def finalize(value: object) -> object:
        if not isinstance(value, str):
            return value
        current = policy() if callable(policy) else policy
        if isinstance(value, Markup):
            return Markup(output_text(str(value), "print", current))  # noqa: S704 - already escaped; only 外字 change
        return output_text(value, "print", current)

    return finalize


_process_fonts: FontConfiguration | None = None
_process_css: CSS | None = None


def _process_resources() -> tuple[FontConfiguration, CSS]:
    """One font configuration and built-in stylesheet per rendering process (or thread)."""
    global _process_fonts, _process_css
    if _process_fonts is None or _process_css is None:
        _process_fonts = FontConfiguration()
        _process_css = CSS(filename=str(TEMPLATES / STYLESHEET), font_config=_process_fonts, url_fetcher=local_only)
    return _process_fonts, _process_css


def write_pdf(html: str, css: str | None) -> bytes:
    """HTML of a form to PDF with the built-in stylesheet or an uploaded one; run in a rendering process."""
    fonts, builtin = _process_resources()
    stylesheet = (
        builtin if css is None else CSS(string=css, base_url=str(TEMPLATES), font_config=fonts, url_fetcher=local_only)
    )
    document = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=local_only)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def write_merged_pdf(htmls: Sequence[str]) -> bytes:
    """Several forms' HTML as one PDF, each keeping its own pages and page numbers; run in a rendering process."""
    fonts, builtin = _process_resources()
    documents = [
        HTML(string=html, base_url=str(TEMPLATES), url_fetcher=local_only).render(
            stylesheets=[builtin], font_config=fonts
        )
        for html in htmls
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def merge(parts: Sequence[bytes]) -> tuple[bytes, int]:
    """One PDF of every part in order, and its page count."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def write_each_and_merged(htmls: Sequence[str]) -> tuple[list[bytes], bytes]:
    """Several forms laid out once each: every form's own PDF (to be filed) and one PDF of them all (to be shown,
    with its fonts embedded once instead of once per form); run in a rendering process."""
    fonts, builtin = _process_resources()
    documents = [
        HTML(string=html, base_url=str(TEMPLATES), url_fetcher=local_only).render(
            stylesheets=[builtin], font_config=fonts
        )
        for html in htmls
    ]
    each = [document.write_pdf() for document in documents]
    pages = [page for document in documents for page in document.pages]
    return each, documents[0].copy(pages).write_pdf()


class FormRenderer:
    """Turns a form and its input into PDF bytes.

    WeasyPrint is not thread-safe: PDFs are written in `processes` rendering processes (forms render side by side,
    one per core), or in one rendering thread when `processes` is 0.
    """

    def __init__(self, processes: int = 0, policy: PolicySource = None) -> None:
        self.policy = policy
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            finalize=printable(policy),
        )
        self._fonts = FontConfiguration()
        self._css = CSS(filename=str(TEMPLATES / STYLESHEET), font_config=self._fonts, url_fetcher=local_only)
        self.parallel = max(processes, 1)
        self._executor: Executor = (
            ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))
            if processes > 0
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="weasyprint")
        )
        self._processes = processes > 0

    def render_html(self, spec: FormSpec, data: FormInput, source: TemplateSource | None = None) -> str:
        """The form as HTML, with the page furniture of the base template (an uploaded version when given)."""
        context = {
            "form": spec,
            "template_version": source.version if source else template_version(spec),
            "edition": edition(source.version if source else spec.revision),
            "printed_at": printed_at_label(data.printed_at),
            "printed_by": data.printed_by,
            "stamps": stamps_to_print(spec, data),
            **spec.build_context(data),
        }
        if source is None:
            return self.env.get_template(spec.template).render(context)
        try:
            return uploaded_environment(spec, source, self.policy).get_template(spec.template).render(context)
        except TemplateError as exc:
            raise UploadedTemplateFailed(str(exc)) from exc

    def render_pdf_sync(self, spec: FormSpec, data: FormInput, source: TemplateSource | None = None) -> bytes:
        """The form as an A4 PDF with embedded Japanese font subsets (blocks the calling thread)."""
        html = HTML(string=self.render_html(spec, data, source), base_url=str(TEMPLATES), url_fetcher=local_only)
        css = self._css if source is None else self._uploaded_css(source)
        return html.write_pdf(stylesheets=[css], font_config=self._fonts)

    async def render_pdf(self, spec: FormSpec, data: FormInput, source: TemplateSource | None = None) -> bytes:
        """The form as an A4 PDF, rendered off the event loop (in a rendering process when there are some)."""
        loop = asyncio.get_running_loop()
        if not self._processes:
            return await loop.run_in_executor(self._executor, self.render_pdf_sync, spec, data, source)
        html = self.render_html(spec, data, source)
        return await loop.run_in_executor(self._executor, write_pdf, html, source.css if source else None)

    async def render_page(self, html: str, css: str) -> bytes:
        """A page of given HTML and CSS (not a registered form: the layer of an approved copy) as PDF."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, write_pdf, html, css)

    def render_merged_pdf_sync(self, items: Sequence[tuple[FormSpec, FormInput]]) -> bytes:
        """Several forms as one PDF (a session's papers at once; blocks the calling thread)."""
        return write_merged_pdf([self.render_html(spec, data) for spec, data in items])

    async def render_merged_pdf(self, items: Sequence[tuple[FormSpec, FormInput]]) -> bytes:
        """Several forms as one PDF, rendered off the event loop (in a rendering process when there are some)."""
        htmls = [self.render_html(spec, data) for spec, data in items]
        return await asyncio.get_running_loop().run_in_executor(self._executor, write_merged_pdf, htmls)

    async def render_each_and_merged(self, items: Sequence[tuple[FormSpec, FormInput]]) -> tuple[list[bytes], bytes]:
        """Every form's own PDF and one PDF of them all, laid out once, in as many consecutive parts as there are
        rendering processes (the parts' PDFs are then joined: their fonts are embedded once per part)."""
        htmls = [self.render_html(spec, data) for spec, data in items]
        size = -(-len(htmls) // min(self.parallel, len(htmls)))
        loop = asyncio.get_running_loop()
        parts = await asyncio.gather(
            *(
                loop.run_in_executor(self._executor, write_each_and_merged, htmls[start : start + size])
                for start in range(0, len(htmls), size)
            )
        )
        each = [pdf for pdfs, _ in parts for pdf in pdfs]
        if len(parts) == 1:
            return each, parts[0][1]
        merged, _ = await asyncio.to_thread(merge, [part for _, part in parts])
        return each, merged

    def close(self) -> None:
        """Stops the rendering processes or thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _uploaded_css(self, source: TemplateSource) -> CSS:
        return CSS(string=source.css, base_url=str(TEMPLATES), font_config=self._fonts, url_fetcher=local_only)


def uploaded_environment(spec: FormSpec, source: TemplateSource, policy: PolicySource = None) -> SandboxedEnvironment:
    """A sandboxed Jinja environment where the form's template is the uploaded HTML (it may extend base.html)."""
    loader = ChoiceLoader([DictLoader({spec.template: source.html}), FileSystemLoader(TEMPLATES)])
    return SandboxedEnvironment(loader=loader, autoescape=True, undefined=StrictUndefined, finalize=printable(policy))


def source_version(revision: str, html: str, css: str) -> str:
    """The version an uploaded template is stored and printed as: its revision and a digest of its HTML and CSS."""
    digest = hashlib.sha256(html.encode() + b"\0" + css.encode()).hexdigest()[:8]
    return f"{revision}+{digest}"


def edition(version: str) -> str:
    """The edition a form prints in its footer, from its revision (`2` or a stored version `2+1a2b3c4d`): 第2版."""
    revision = version.split("+", 1)[0].strip()
    return f"第{revision}版"


@cache
def template_version(spec: FormSpec) -> str:
    """The form's revision and a digest of the template files it is printed with, e.g. `1+3fa2b9c1`."""
    digest = hashlib.sha256()
    for name in (BASE_TEMPLATE, STYLESHEET, spec.template):
        digest.update((TEMPLATES / name).read_bytes())
    return f"{spec.revision}+{digest.hexdigest()[:8]}"
