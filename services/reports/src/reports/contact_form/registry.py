"""The contact screening forms by id: those printed for one contact, and every one that is filed as a document."""

from __future__ import annotations

from reports.contact_form.forms import F05, F18, F19, F21, F23, F25
from reports.contact_form.results import F22, F24, F26
from reports.forms.spec import FormSpec

# printed for one contact (GET /contact-forms/{contact_id}/{form}) and filed with the contact
CONTACT_FORMS: dict[str, FormSpec] = {spec.id: spec for spec in (F18, F19, F21, F22, F23, F24, F26)}
# every contact screening form: F05 is filed with the index patient, F25 with its screening day
ALL_CONTACT_FORMS: dict[str, FormSpec] = {**CONTACT_FORMS, F05.id: F05, F25.id: F25}
