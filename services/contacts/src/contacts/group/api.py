"""HTTP API of group contacts (集団接触者): the group, the member import, bulk plan and results."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, UploadFile, status

from contacts.deps import MAY_CHANGE, MAY_READ, GroupServiceDep
from contacts.group.files import MAX_BYTES, unreadable
from contacts.group.schemas import (
    BulkDone,
    GroupCreate,
    GroupList,
    GroupPlan,
    GroupRead,
    GroupResults,
    ImportApplied,
    ImportApply,
    ImportPreview,
)

router = APIRouter(prefix="/groups", tags=["集団接触者"])


@router.get("", dependencies=MAY_READ)
async def list_groups(index_patient_id: uuid.UUID, groups: GroupServiceDep) -> GroupList:
    """The groups of an index patient."""
    return GroupList(items=await groups.of_index(index_patient_id))


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def create_group(data: GroupCreate, groups: GroupServiceDep) -> GroupRead:
    """Registers a group with the exposure its members share."""
    return await groups.read(await groups.create(data))


@router.get("/{group_id}", dependencies=MAY_READ)
async def view_group(group_id: uuid.UUID, groups: GroupServiceDep) -> GroupRead:
    """One group with its members and their screening state."""
    return await groups.view(group_id)


@router.post("/{group_id}/imports", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def preview_import(group_id: uuid.UUID, file: UploadFile, groups: GroupServiceDep) -> ImportPreview:
    """Reads a member list (CSV UTF-8/CP932 or .xlsx) and checks every row; registers nobody."""
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise unreadable(f"ファイルが大きすぎます（{MAX_BYTES // 1_000_000}MBまで）。")
    return await groups.preview(group_id, file.filename or "", content)


@router.get("/{group_id}/imports/{import_id}", dependencies=MAY_CHANGE)
async def view_import(group_id: uuid.UUID, import_id: uuid.UUID, groups: GroupServiceDep) -> ImportPreview:
    """A preview made before."""
    return await groups.preview_again(group_id, import_id)


@router.post("/{group_id}/imports/{import_id}/apply", dependencies=MAY_CHANGE)
async def apply_import(
    group_id: uuid.UUID, import_id: uuid.UUID, data: ImportApply, groups: GroupServiceDep
) -> ImportApplied:
    """Registers every row as a member, or nothing when a row has an error or an undecided duplicate."""
    return await groups.apply(group_id, import_id, data)


@router.post("/{group_id}/plan", dependencies=MAY_CHANGE)
async def plan_group(group_id: uuid.UUID, data: GroupPlan, groups: GroupServiceDep) -> BulkDone:
    """Plans one examination for every member still followed."""
    return await groups.plan(group_id, data)


@router.post("/{group_id}/results", dependencies=MAY_CHANGE)
async def group_results(group_id: uuid.UUID, data: GroupResults, groups: GroupServiceDep) -> BulkDone:
    """Enters the members' results at once (all or nothing)."""
    return await groups.results(group_id, data)
