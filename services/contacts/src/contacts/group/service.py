"""Group contacts: a group with its exposure facts, members imported from a file (preview, then all or nothing),
a screening examination planned for all members at once and results entered at once."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import Changes, diff
from tbms_core.clock import today
from tbms_core.db import flush_versioned, utcnow
from tbms_core.errors import InvalidInput
from tbms_core.jp.text import search_key

from contacts.contact.schemas import ContactCreate, DuplicateQuery, ExposureAdd, ExposureCreate
from contacts.contact.service import ContactService
from contacts.exam.schemas import ExamCreate
from contacts.exam.service import ExamService
from contacts.group import files
from contacts.group.errors import ImportAlreadyApplied
from contacts.group.models import ContactGroup, GroupImport, GroupMember
from contacts.group.repository import GroupRepository
from contacts.group.schemas import (
    BulkDone,
    DuplicateCandidate,
    GroupCreate,
    GroupPlan,
    GroupRead,
    GroupResults,
    ImportApplied,
    ImportApply,
    ImportPreview,
    ImportRow,
    MemberRead,
)
from contacts.history.service import HistoryService
from contacts.index_case.repository import IndexCaseRepository

SERVICE = "contacts"


class GroupService:
    """What contact investigators do with a setting of many contacts."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.groups = GroupRepository(session)
        self.contacts = ContactService(session, principal)
        self.edit_history = HistoryService(session, principal)

    async def create(self, data: GroupCreate) -> ContactGroup:
        """Registers a group of an index patient with the exposure its members share."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        await self.contacts.require_index_patient(data.index_patient_id)
        group = ContactGroup(**data.model_dump(mode="python"), updated_by=self.principal.user_id, members=[])
        group.infectiousness = str(data.infectiousness)
        group.setting = str(data.setting)
        await self.groups.add(group)
        created = {k: v for k, v in data.model_dump(mode="json").items() if v not in ("", None, False)}
        await self._changed(group, diff({}, created), Operation.CREATE, reason="登録")
        return group

    async def view(self, group_id: uuid.UUID) -> GroupRead:
        """One group with its members (audited as a read)."""
        self.principal.require(Area.CONTACTS, Access.READ)
        group = await self.groups.get(group_id)
        await self._audit(Operation.READ, group)
        return await self.read(group)

    async def of_index(self, index_patient_id: uuid.UUID) -> list[GroupRead]:
        """The groups of an index patient."""
        self.principal.require(Area.CONTACTS, Access.READ)
        found = await self.groups.of_index(index_patient_id)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="contact_group_list",
            person_id=index_patient_id,
            detail=f"{len(found)}件",
        )
        return [await self.read(g) for g in found]

    async def preview(self, group_id: uuid.UUID, filename: str, content: bytes) -> ImportPreview:
        """Reads a member file and checks every row (errors, duplicates in the file and among the contacts); stores
        the preview, registers nobody."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        group = await self.groups.get(group_id)
        sheet = files.read_sheet(content)
        day = today()
        members = {m.contact_id for m in group.members}
        rows, seen = [], {}
        for line, cells in sheet.rows:
            row = files.checked_row(line, sheet.header, cells, day)
            person = row["person"]
            key = (search_key(person["name"]), person["birth_date"])
            if person["name"] and key in seen:
                row["same_as_line"] = seen[key]
                row["errors"]["name"] = (
                    f"{seen[key]}行目と同じ人（氏名と生年月日が同じ）です。どちらかの行を消してください。"
                )
            seen.setdefault(key, line)
            if person["name"] and not row["errors"].get("name"):
                query = DuplicateQuery(
                    name=person["name"],
                    name_kana=person["name_kana"],
                    birth_date=person["birth_date"],
                    phone=person["phone"],
                )
                row["duplicates"] = [
                    to_jsonable_python(
                        DuplicateCandidate(
                            contact_id=d.id, name=d.name, birth_date=d.birth_date, why=d.why, member=d.id in members
                        )
                    )
                    for d in await self.contacts.duplicates(query)
                ]
            rows.append(row)
        made = GroupImport(
            group_id=group.id,
            filename=filename[:200],
            encoding=sheet.encoding,
            rows=rows,
            made_by=self.principal.user_id,
        )
        self.session.add(made)
        await self.session.flush()
        await self._audit(
            Operation.CREATE, group, record_type="contact_group_import", detail=f"{len(rows)}行 {filename}"
        )
        return preview_of(made)

    async def preview_again(self, group_id: uuid.UUID, import_id: uuid.UUID) -> ImportPreview:
        """A preview made before."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        group = await self.groups.get(group_id)
        made = await self.groups.import_of(group.id, import_id)
        await self._audit(Operation.READ, group, record_type="contact_group_import")
        return preview_of(made)

    async def apply(self, group_id: uuid.UUID, import_id: uuid.UUID, data: ImportApply) -> ImportApplied:
        """Registers every row of a preview as a member, or nothing: refused while any row has an error or a
        duplicate candidate without a decision (new person, or which contact it is)."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        group = await self.groups.get_version(group_id, data.group_version)
        made = await self.groups.import_of(group.id, import_id)
        if made.status == "applied":
            raise ImportAlreadyApplied()
        errors: dict[str, str] = {}
        for row in made.rows:
            line = str(row["line"])
            if row["errors"]:
                errors[f"rows.{line}"] = f"{line}行目: " + " ".join(row["errors"].values())
            elif row["duplicates"]:
                decision = data.decisions.get(line, "")
                allowed = {"new", *(d["contact_id"] for d in row["duplicates"])}
                if decision not in allowed:
                    errors[f"rows.{line}"] = (
                        f"{line}行目: 登録済みの接触者と同じ人の可能性があります。同じ人か新しい人かを選んでください。"
                    )
        if errors:
            raise InvalidInput(
                "取り込めない行があります。ファイルを直して読み込み直すか、各行の選択をしてください。", errors=errors
            )
        members = {m.contact_id for m in group.members}
        registered = linked = 0
        for row in made.rows:
            decision = data.decisions.get(str(row["line"]), "new") if row["duplicates"] else "new"
            if decision == "new":
                contact_id = await self._register(group, row["person"])
                registered += 1
            else:
                contact_id = uuid.UUID(decision)
                await self._link(group, contact_id)
                linked += 1
            if contact_id not in members:
                group.members.append(GroupMember(contact_id=contact_id, position=len(group.members)))
                members.add(contact_id)
        made.status, made.applied_at = "applied", utcnow()
        await self.session.flush()
        changes = diff({}, {"import": {"file": made.filename, "registered": registered, "linked": linked}})
        await self._touch(group, changes, reason=f"名簿取込み（{made.filename}）")
        return ImportApplied(registered=registered, linked=linked, group=await self.read(group))

    async def plan(self, group_id: uuid.UUID, data: GroupPlan) -> BulkDone:
        """Plans the examination for every member still followed who has none of that kind planned that day."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        group = await self.groups.get_version(group_id, data.version)
        exams = ExamService(self.session, self.principal)
        contacts = await self.groups.contacts([m.contact_id for m in group.members])
        planned = await exams.exams.of_contacts(list(contacts))
        recorded = skipped = 0
        for member in group.members:
            contact = contacts[member.contact_id]
            same = [e for e in planned.get(contact.id, []) if e.kind == data.kind and e.planned_on == data.planned_on]
            if contact.status != "active" or same:
                skipped += 1
                continue
            await exams.record(
                contact.id, ExamCreate(kind=data.kind, planned_on=data.planned_on, institution=data.institution)
            )
            recorded += 1
        plan = {"plan": {"kind": str(data.kind), "planned_on": str(data.planned_on), "recorded": recorded}}
        await self._touch(group, diff({}, plan), reason="一括の健診予定")
        return BulkDone(recorded=recorded, skipped=skipped, group=await self.read(group))

    async def results(self, group_id: uuid.UUID, data: GroupResults) -> BulkDone:
        """Records the members' results of one kind of examination at once; any wrong row refuses them all."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        group = await self.groups.get_version(group_id, data.version)
        members = {m.contact_id for m in group.members}
        exams, errors = ExamService(self.session, self.principal), {}
        for i, result in enumerate(data.results):
            if result.contact_id not in members:
                errors[f"results.{i}.contact_id"] = "この集団の接触者ではありません。"
                continue
            try:
                exam = ExamCreate(
                    kind=data.kind, institution=data.institution, **result.model_dump(exclude={"contact_id"})
                )
                await exams.record(result.contact_id, exam)
            except InvalidInput as error:
                errors |= {f"results.{i}.{field}": text for field, text in error.errors.items()}
            except ValidationError as error:
                errors[f"results.{i}"] = "; ".join(str(e["msg"]) for e in error.errors())
        if errors:
            raise InvalidInput(errors=errors)
        await self._touch(
            group,
            diff({}, {"results": {"kind": str(data.kind), "recorded": len(data.results)}}),
            reason="一括の結果入力",
        )
        return BulkDone(recorded=len(data.results), group=await self.read(group))

    async def read(self, group: ContactGroup) -> GroupRead:
        """The API view of a group with its members' screening state."""
        contacts = await self.groups.contacts([m.contact_id for m in group.members])
        names = await IndexCaseRepository(self.session).names({group.index_patient_id})
        return GroupRead(
            **{name: getattr(group, name) for name in GroupRead.model_fields if name not in ("index_name", "members")},
            index_name=names.get(group.index_patient_id, ""),
            members=[
                MemberRead(
                    contact_id=c.id,
                    name=c.name,
                    name_kana=c.name_kana,
                    birth_date=c.birth_date,
                    affiliation=c.affiliation,
                    status=c.status,
                    next_due_on=c.next_due_on,
                    has_result=c.has_result,
                )
                for m in group.members
                if (c := contacts.get(m.contact_id))
            ],
        )

    async def _register(self, group: ContactGroup, person: dict[str, Any]) -> uuid.UUID:
        contact = await self.contacts.register(
            ContactCreate(
                name=person["name"],
                name_kana=person["name_kana"],
                sex=person["sex"],
                birth_date=person["birth_date"],
                address=person["address"],
                phone=person["phone"],
                affiliation=person["affiliation"] or group.name[:200],
                note=person["note"],
                exposures=[self._exposure(group, person)],
            )
        )
        return contact.id

    async def _link(self, group: ContactGroup, contact_id: uuid.UUID) -> None:
        contact = await self.contacts.contacts.get(contact_id)
        if any(link.index_patient_id == group.index_patient_id for link in contact.links):
            return
        await self.contacts.add_exposure(
            contact.id, ExposureAdd(version=contact.version, exposure=self._exposure(group, {}))
        )

    @staticmethod
    def _exposure(group: ContactGroup, person: dict[str, Any]) -> ExposureCreate:
        return ExposureCreate(
            index_patient_id=group.index_patient_id,
            setting=group.setting,
            relation=group.name[:50],
            first_contact_on=group.first_contact_on,
            last_contact_on=person.get("last_contact_on") or group.last_contact_on,
            hours=person["hours"] if person.get("hours") is not None else group.hours,
            closed_room=group.closed_room,
            poor_ventilation=group.poor_ventilation,
            infectiousness=group.infectiousness,
            note=f"集団: {group.name}"[:300],
        )

    async def _touch(self, group: ContactGroup, changes: Changes, *, reason: str) -> None:
        group.updated_by = self.principal.user_id
        flag_modified(group, "updated_by")
        await flush_versioned(self.session)
        await self._changed(group, changes, Operation.UPDATE, reason=reason)

    async def _changed(self, group: ContactGroup, changes: Changes, operation: Operation, *, reason: str) -> None:
        await self.edit_history.record(
            contact_id=group.id,  # the history table keys rows by the record they belong to
            record_type="group",
            record_id=group.id,
            version=group.version,
            changes=changes,
            reason=reason,
        )
        await self._audit(operation, group)

    async def _audit(
        self,
        operation: Operation,
        group: ContactGroup,
        *,
        record_type: str = "contact_group",
        detail: str | None = None,
    ) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=record_type,
            record_id=group.id,
            person_id=group.index_patient_id,
            detail=detail,
        )


def preview_of(made: GroupImport) -> ImportPreview:
    """The API view of a stored preview."""
    rows = [ImportRow.model_validate(row) for row in made.rows]
    return ImportPreview(
        id=made.id,
        group_id=made.group_id,
        filename=made.filename,
        encoding=made.encoding,
        status=made.status,
        made_at=made.made_at,
        rows=rows,
        total=len(rows),
        with_errors=sum(1 for r in rows if r.errors),
        with_duplicates=sum(1 for r in rows if r.duplicates),
    )
