"""Every query of the index cases; never commits."""

from __future__ import annotations

import uuid
from typing import Any

from tbms_core.db import apply_snapshot
from tbms_core.repository import Repository

from contacts.index_case.errors import IndexCaseNotFound
from contacts.index_case.models import IndexCase


class IndexCaseRepository(Repository[IndexCase]):
    """Reads and upserts index cases in the caller's unit of work."""

    model = IndexCase
    not_found = IndexCaseNotFound

    async def apply(self, patient_id: uuid.UUID, values: dict[str, Any]) -> bool:
        """Stores a patient's summary unless a newer version is held; True when it was applied."""
        return await apply_snapshot(self.session, IndexCase, {"patient_id": patient_id}, values)
