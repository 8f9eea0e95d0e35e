"""What the index administration API accepts and returns."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PatientBatch(BaseModel):
    """One page of snapshots for a rebuild: `reset` begins one into a new index beside the live one, `done` swaps
    it in; `rebuild_id` (from the `reset` answer) makes sure the pages go to that rebuild and no other.

    Patients come before contacts (`tbms search reindex` sends every patient first): a contact's hit shows its index
    patient's number, name and district as search keeps them.
    """

    patients: list[dict] = Field(default_factory=list, max_length=1000)
    contacts: list[dict] = Field(default_factory=list, max_length=1000)
    reset: bool = False
    done: bool = False
    rebuild_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")


class ReindexReport(BaseModel):
    """What became of a rebuild page's records."""

    received: int
    indexed: int = Field(description="stored in the index")
    current: int = Field(default=0, description="the index already held this version (events were faster)")
    skipped: int = Field(default=0, description="a newer version or a deletion was indexed since")
    rebuild_id: str | None = Field(default=None, description="the rebuild the page went to (none: the live index)")
