"""Every query of the form-template module; never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from tbms_core.repository import Repository

from reports.form_template.errors import FormTemplateNotFound
from reports.form_template.models import FormTemplate


class FormTemplateRepository(Repository[FormTemplate]):
    """Reads and writes uploaded template versions in the caller's unit of work."""

    model = FormTemplate
    not_found = FormTemplateNotFound

    async def of_form(self, form_id: str) -> list[FormTemplate]:
        """A form's uploaded versions, latest effective date first."""
        rows = await self.session.scalars(
            select(FormTemplate).where(FormTemplate.form_id == form_id).order_by(FormTemplate.effective_from.desc())
        )
        return list(rows)

    async def in_force(self, form_id: str, on: date) -> FormTemplate | None:
        """The uploaded version in force on a day: the latest effective on or before it (None: the built-in one)."""
        return await self.session.scalar(
            select(FormTemplate)
            .where(FormTemplate.form_id == form_id, FormTemplate.effective_from <= on)
            .order_by(FormTemplate.effective_from.desc())
            .limit(1)
        )

    async def on_date(self, form_id: str, effective_from: date) -> FormTemplate | None:
        """The version taking effect on exactly that day, if any."""
        return await self.session.scalar(
            select(FormTemplate).where(FormTemplate.form_id == form_id, FormTemplate.effective_from == effective_from)
        )
