"""Administrators' 様式改正: upload a new version of a form's template, list versions, pick the one in force."""

from __future__ import annotations

import uuid
from datetime import date

from jinja2 import TemplateSyntaxError
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import new_id, utcnow

from reports.form_template.errors import EffectiveDateTaken, FormTemplateNotFound, TemplateInvalid
from reports.form_template.models import FormTemplate
from reports.form_template.repository import FormTemplateRepository
from reports.form_template.schemas import (
    FormRead,
    FormTemplateCreate,
    FormTemplateRead,
    FormTemplateSource,
    RequiredItemRead,
)
from reports.forms.registry import FORMS, form_spec
from reports.forms.render import (
    STYLESHEET,
    TEMPLATES,
    TemplateSource,
    source_version,
    template_version,
    uploaded_environment,
)
from reports.forms.spec import FormSpec

SERVICE = "reports"


def source_of(template: FormTemplate) -> TemplateSource:
    """The uploaded version as the renderer takes it."""
    return TemplateSource(template.template_version, template.html, template.css)


class TemplateCatalog:
    """Which template version a form prints with on a day: the uploaded one in force, else the built-in files."""

    def __init__(self, session: AsyncSession) -> None:
        self.templates = FormTemplateRepository(session)

    async def in_force(self, spec: FormSpec, on: date) -> TemplateSource | None:
        """The uploaded version in force on the day, or None for the built-in template."""
        template = await self.templates.in_force(spec.id, on)
        return source_of(template) if template else None

    async def chosen(self, spec: FormSpec, on: date, template_id: uuid.UUID | None) -> TemplateSource | None:
        """A named version of the form (to preview it before it takes effect), else the one in force on the day."""
        if template_id is None:
            return await self.in_force(spec, on)
        template = await self.templates.get(template_id)
        if template.form_id != spec.id:
            raise FormTemplateNotFound()
        return source_of(template)


class FormTemplateService:
    """What administrators do with form templates: upload a version with its effective date, list the versions."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.templates = FormTemplateRepository(session)

    def forms(self) -> list[FormRead]:
        """Every printable form with its genre and the items its missing-data check looks at."""
        self.principal.require(Area.FORMS, Access.READ)
        return [
            FormRead(
                id=spec.id,
                title=spec.title,
                genre=spec.genre.value,
                required=[RequiredItemRead(key=i.key, label=i.label, section=i.section) for i in spec.required],
            )
            for spec in FORMS.values()
        ]

    async def upload(self, form_id: str, data: FormTemplateCreate) -> FormTemplate:
        """Stores a new version; it prints from its effective date on (earlier dates keep the older version)."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        spec = form_spec(form_id)
        try:
            uploaded_environment(spec, TemplateSource("", data.html, data.css)).parse(data.html)
        except TemplateSyntaxError as exc:
            message = f"様式のHTMLの{exc.lineno}行目を読み取れません（{exc.message}）。"
            raise TemplateInvalid(message, errors={"html": message}) from exc
        if await self.templates.on_date(spec.id, data.effective_from):
            raise EffectiveDateTaken(errors={"effective_from": EffectiveDateTaken.message})
        template = FormTemplate(
            id=new_id(),
            form_id=spec.id,
            revision=data.revision,
            template_version=source_version(data.revision, data.html, data.css),
            effective_from=data.effective_from,
            html=data.html,
            css=data.css,
            note=data.note,
            created_by=self.principal.user_id,
            created_by_name=self.principal.display_name,
            created_at=utcnow(),
        )
        await self.templates.add(template)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.CREATE,
            record_type="form_template",
            record_id=template.id,
            detail=f"{spec.id} 第{data.revision}版 {data.effective_from.isoformat()}施行",
        )
        return template

    async def source(self, form_id: str, template_id: uuid.UUID | None) -> FormTemplateSource:
        """The HTML and CSS of a version (the built-in template files when none is named), to start a new one from."""
        self.principal.require(Area.FORMS, Access.READ)
        spec = form_spec(form_id)
        if template_id is None:
            html = (TEMPLATES / spec.template).read_text(encoding="utf-8")
            css = (TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
            return FormTemplateSource(
                form_id=spec.id, revision=spec.revision, template_version=template_version(spec), builtin=True,
                html=html, css=css,
            )  # fmt: skip
        template = await self.templates.get(template_id)
        if template.form_id != spec.id:
            raise FormTemplateNotFound()
        return FormTemplateSource(
            form_id=spec.id, revision=template.revision, template_version=template.template_version, builtin=False,
            html=template.html, css=template.css,
        )  # fmt: skip

    async def versions(self, form_id: str) -> list[FormTemplateRead]:
        """Every version of the form, latest effective first, the built-in one last; the one in force today marked."""
        self.principal.require(Area.FORMS, Access.READ)
        spec = form_spec(form_id)
        uploaded = await self.templates.of_form(spec.id)
        reads = [FormTemplateRead.model_validate(t) for t in uploaded]
        reads.append(
            FormTemplateRead(
                id=None,
                form_id=spec.id,
                revision=spec.revision,
                template_version=template_version(spec),
                effective_from=None,
                note="標準の様式（プログラム同梱）",
                created_by_name="",
                created_at=None,
            )
        )
        current = next((r for r in reads if r.effective_from is None or r.effective_from <= today()), None)
        if current is not None:
            current.in_force = True
        return reads
