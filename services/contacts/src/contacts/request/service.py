"""Requests between municipalities (依頼・回答): drafting, sending (on paper or as an encrypted file whose key goes
by another channel), the reply that updates the contacts' screening, withdrawal, and requests received."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.contacts import Deadline, RequestChanged, RequestItemSnapshot, RequestSnapshot
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.clock import today
from tbms_core.db import flush_versioned
from tbms_core.errors import InvalidInput
from tbms_core.events import Envelope

from contacts.code_list.book import CodeBook
from contacts.code_list.service import code_book
from contacts.contact.models import Contact
from contacts.contact.schemas import ContactCreate, ExposureCreate
from contacts.contact.service import ContactService
from contacts.exam.models import Exam
from contacts.exam.repository import ExamRepository
from contacts.exam.schemas import results_of
from contacts.exam.service import ExamService
from contacts.history.models import ContactVersion
from contacts.history.service import HistoryService
from contacts.index_case.models import IndexCase
from contacts.index_case.repository import IndexCaseRepository
from contacts.request import package as pkg
from contacts.request.errors import WrongStatus
from contacts.request.models import MunicipalRequest, RequestContact, RequestPackage, Sending
from contacts.request.repository import RequestRepository
from contacts.request.schemas import (
    DIRECTION_LABELS,
    INFECTIOUSNESS_LABELS,
    KEY_CHANNEL_LABELS,
    METHOD_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    Acknowledge,
    IncomingCreate,
    IndexSummary,
    ItemRead,
    OutgoingCreate,
    PackageMade,
    ReplyReceived,
    RequestChange,
    RequestRead,
    Send,
    SendingRead,
    Withdraw,
)
from contacts.settings import get_settings

SERVICE = "contacts"
RECORD = "municipal_request"
WAITING = ("sent", "awaiting")  # an outgoing request waits for the reply
NULLABLE = {"reply_by"}


class RequestService:
    """What the staff do with requests between health centres, both directions."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.requests = RequestRepository(session)
        self.contacts = ContactService(session, principal)
        self.edit_history = HistoryService(session, principal)

    # --- outgoing --------------------------------------------------------------------------------------------

    async def create_outgoing(self, data: OutgoingCreate) -> MunicipalRequest:
        """Saves a request to another health centre as 下書き, for contacts of one of our index patients."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        await self.contacts.require_index_patient(data.index_patient_id)
        contacts = await self._contacts([item.contact_id for item in data.items])
        errors, seen = {}, set()
        for i, item in enumerate(data.items):
            contact = contacts.get(item.contact_id)
            if contact is None:
                errors[f"items.{i}.contact_id"] = "接触者が見つかりません。"
            elif not any(link.index_patient_id == data.index_patient_id for link in contact.links):
                errors[f"items.{i}.contact_id"] = f"{contact.name}さんはこの発端患者の接触者ではありません。"
            elif item.contact_id in seen:
                errors[f"items.{i}.contact_id"] = f"{contact.name}さんが二度指定されています。"
            seen.add(item.contact_id)
        if errors:
            raise InvalidInput(errors=errors)
        request = MunicipalRequest(
            direction="outgoing",
            status="draft",
            **_common(data),
            requested_on=data.requested_on or today(),
            index_patient_id=data.index_patient_id,
            updated_by=self.principal.user_id,
        )
        request.items = [
            RequestContact(contact_id=item.contact_id, position=i, recommended=item.recommended)
            for i, item in enumerate(data.items)
        ]
        await self.requests.add(request)
        await self._changed(request, diff({}, _created(data)), "created", Operation.CREATE, reason="作成")
        return request

    async def acknowledge(self, request_id: uuid.UUID, data: Acknowledge) -> MunicipalRequest:
        """The addressee confirmed receipt: 送付済 → 回答待ち."""
        request = await self._changeable(request_id, data.version, {"outgoing": ("sent",)})
        if request.sent_on and data.acknowledged_on < request.sent_on:
            raise InvalidInput(errors={"acknowledged_on": "受領確認日が送付日より前になっています。"})
        await self._save(
            request,
            {"status": "awaiting", "acknowledged_on": data.acknowledged_on},
            "acknowledged",
            reason=data.note or "受領確認",
        )
        return request

    async def reply(self, request_id: uuid.UUID, data: ReplyReceived) -> MunicipalRequest:
        """The reply arrived: each contact's results are entered as examinations done (the plan follows), the reply
        document is recorded, the request is closed (回答済). All or nothing."""
        request = await self._changeable(request_id, data.version, {"outgoing": WAITING})
        if request.sent_on and data.replied_on < request.sent_on:
            raise InvalidInput(errors={"replied_on": "回答日が送付日より前になっています。"})
        items = {item.contact_id: item for item in request.items}
        exams, errors = ExamService(self.session, self.principal), {}
        for i, result in enumerate(data.results):
            item = items.get(result.contact_id)
            if item is None:
                errors[f"results.{i}.contact_id"] = "この依頼の接触者ではありません。"
                continue
            for j, exam in enumerate(result.exams):
                try:
                    await exams.record(result.contact_id, exam)
                except InvalidInput as error:
                    errors |= {f"results.{i}.exams.{j}.{field}": text for field, text in error.errors.items()}
            item.reply_note = result.note
        if errors:
            raise InvalidInput(errors=errors)  # the session rolls back: no result is kept without the others
        values = {
            "status": "answered",
            "replied_on": data.replied_on,
            "reply_document": data.document,
            "reply_note": data.note,
        }
        await self._save(request, values, "replied", reason="回答受理")
        return request

    # --- incoming --------------------------------------------------------------------------------------------

    async def register_incoming(self, data: IncomingCreate) -> MunicipalRequest:
        """Registers a request received: the sender's case is recorded as an external index, the people to examine
        become contacts handled here, and the request waits for our reply (受付)."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        external = IndexCase(
            patient_id=uuid.uuid4(),
            version=1,
            registration_no="",
            name=f"{data.counterpart_name} {data.index_label}"[:100],
            name_kana="",
            birth_date=None,
            district="",
            status="external",
            external_from=data.counterpart_name,
        )
        self.session.add(external)
        await self.session.flush()
        items = []
        for i, person in enumerate(data.people):
            values = person.model_dump(exclude={"setting", "relation", "first_contact_on", "last_contact_on"})
            exposure = ExposureCreate(
                index_patient_id=external.patient_id,
                setting=person.setting,
                relation=person.relation,
                first_contact_on=person.first_contact_on,
                last_contact_on=person.last_contact_on,
                hours=person.hours,
                closed_room=person.closed_room,
                infectiousness=data.index.infectiousness,
                note=f"{data.counterpart_name}からの依頼",
            )
            recommended = values.pop("recommended")
            values.pop("hours"), values.pop("closed_room")
            contact = await self.contacts.register(
                ContactCreate(**values, found_on=today(), exposures=[exposure], note=f"{data.counterpart_name}依頼")
            )
            items.append(RequestContact(contact_id=contact.id, position=i, recommended=recommended))
        request = MunicipalRequest(
            direction="incoming",
            status="received",
            **_common(data),
            requested_on=data.requested_on,
            index_patient_id=external.patient_id,
            updated_by=self.principal.user_id,
        )
        request.items = items
        await self.requests.add(request)
        created = _created(data) | {"index_label": data.index_label}
        await self._changed(request, diff({}, created), "created", Operation.CREATE, reason="受付")
        return request

    # --- both ------------------------------------------------------------------------------------------------

    async def correct(self, request_id: uuid.UUID, data: RequestChange) -> MunicipalRequest:
        """Corrects an open request (addressee, reply-by date, attachments …); 409 when somebody saved first."""
        request = await self._changeable(
            request_id, data.version, {"outgoing": ("draft", *WAITING), "incoming": ("received",)}
        )
        values = {
            name: value
            for name, value in data.changes.model_dump(exclude_unset=True).items()
            if value is not None or name in NULLABLE
        }
        if request.status != "draft" and {"counterpart_code", "counterpart_name"} & set(values):
            raise InvalidInput(
                errors={"counterpart_name": "送付した後は宛先を変えられません。取り下げて作り直してください。"}
            )
        if values.get("reply_by") and values["reply_by"] < request.requested_on:
            raise InvalidInput(errors={"reply_by": "回答期限が依頼日より前になっています。"})
        await self._save(request, values, "corrected", reason=data.reason)
        return request

    async def make_package(self, request_id: uuid.UUID) -> PackageMade:
        """The request (or our reply) as an AES-256 encrypted ZIP; the key is returned once and never stored."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        request = await self.requests.get(request_id)
        allowed = {"outgoing": ("draft", *WAITING), "incoming": ("received",)}
        if request.status not in allowed[request.direction]:
            raise WrongStatus(
                STATUS_LABELS[request.status], "・".join(STATUS_LABELS[s] for s in allowed[request.direction])
            )
        read = await self.read(request)
        key = pkg.new_key()
        content = pkg.encrypted_zip(package_files(read), key)
        kind = "依頼" if request.direction == "outgoing" else "回答"
        filename = f"接触者健診{kind}_{today():%Y%m%d}_{str(request.id)[:8]}.zip"
        made = RequestPackage(
            request_id=request.id,
            filename=filename,
            content=content,
            sha256=pkg.sha256(content),
            made_by=self.principal.user_id,
        )
        self.session.add(made)
        await self.session.flush()
        await self._audit(Operation.EXPORT, request, detail=f"暗号化ファイル {filename} sha256={made.sha256}")
        return PackageMade(id=made.id, filename=filename, sha256=made.sha256, size=len(content), password=key)

    async def package(self, request_id: uuid.UUID, package_id: uuid.UUID) -> RequestPackage:
        """An encrypted package made before (ciphertext only), audited as a download."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        request = await self.requests.get(request_id)
        found = await self.requests.package(request.id, package_id)
        await self._audit(Operation.DOWNLOAD, request, detail=found.filename)
        return found

    async def send(self, request_id: uuid.UUID, data: Send) -> MunicipalRequest:
        """Records a sending: our request (下書き → 送付済) or our reply to a request received (受付 → 回答済)."""
        request = await self._changeable(request_id, data.version, {"outgoing": ("draft",), "incoming": ("received",)})
        sha = ""
        if data.package_id is not None:
            sha = (await self.requests.package(request.id, data.package_id)).sha256
        sending = Sending(
            request_id=request.id,
            what="request" if request.direction == "outgoing" else "reply",
            documents=data.documents,
            recipient=data.recipient or f"{request.counterpart_name} {request.counterpart_section}".strip(),
            method=data.method,
            sent_on=data.sent_on,
            package_id=data.package_id,
            package_sha256=sha,
            key_channel=data.key_channel,
            key_sent_on=data.key_sent_on,
            note=data.note,
            sent_by=self.principal.user_id,
            sent_by_name=self.principal.display_name or self.principal.username,
        )
        self.session.add(sending)
        status = "sent" if request.direction == "outgoing" else "answered"
        change = "sent" if request.direction == "outgoing" else "answered"
        await self._save(request, {"status": status, "sent_on": data.sent_on}, change, reason=_sent_text(sending))
        return request

    async def withdraw(self, request_id: uuid.UUID, data: Withdraw) -> MunicipalRequest:
        """Withdraws an open request (取下げ); it stays in the record and the history."""
        request = await self._changeable(
            request_id, data.version, {"outgoing": ("draft", *WAITING), "incoming": ("received",)}
        )
        values = {"status": "withdrawn", "withdrawn_on": today(), "withdraw_reason": data.reason}
        await self._save(request, values, "withdrawn", reason=data.reason)
        return request

    async def view(self, request_id: uuid.UUID) -> RequestRead:
        """One request (audited as a read of the personal data of its contacts)."""
        self.principal.require(Area.CONTACTS, Access.READ)
        request = await self.requests.get(request_id)
        await self._audit(Operation.READ, request)
        return await self.read(request)

    async def page(
        self, *, direction: str | None, open_only: bool, limit: int, offset: int
    ) -> tuple[list[RequestRead], int]:
        """The board of requests, both directions, with days waiting and overdue replies."""
        self.principal.require(Area.CONTACTS, Access.READ)
        found, total = await self.requests.page(direction=direction, open_only=open_only, limit=limit, offset=offset)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="municipal_request_list",
            query=f"direction={direction or ''} open={open_only}",
            detail=f"{len(found)}件",
        )
        return await self.read_many(found, with_results=False), total

    async def history(self, request_id: uuid.UUID) -> list[ContactVersion]:
        """The request's edit history, newest first."""
        self.principal.require(Area.CONTACTS, Access.READ)
        request = await self.requests.get(request_id)
        await self._audit(Operation.READ, request, record_type="municipal_request_history")
        return await self.edit_history.timeline(request.id)

    async def read(self, request: MunicipalRequest, *, with_results: bool = True) -> RequestRead:
        """The API view of a request, with its contacts, their results held here and its sendings."""
        return (await self.read_many([request], with_results=with_results))[0]

    async def read_many(self, found: list[MunicipalRequest], *, with_results: bool = True) -> list[RequestRead]:
        """The API views of several requests, read with one query per kind of record."""
        contacts = await self._contacts([item.contact_id for r in found for item in r.items])
        exams = await ExamRepository(self.session).of_contacts(list(contacts)) if with_results else {}
        names = await IndexCaseRepository(self.session).names({r.index_patient_id for r in found})
        sendings = await self.requests.sendings_of([r.id for r in found])
        words = ResultWords(await code_book(self.session), get_settings().exam_rules)
        day = today()
        return [_read(r, contacts, exams, names, sendings.get(r.id, []), day, words) for r in found]

    # --- internals -------------------------------------------------------------------------------------------

    async def _contacts(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Contact]:
        return await self.requests.contacts(ids)

    async def _changeable(
        self, request_id: uuid.UUID, version: int, allowed: dict[str, tuple[str, ...]]
    ) -> MunicipalRequest:
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        request = await self.requests.get_version(request_id, version)
        statuses = allowed.get(request.direction, ())
        if request.status not in statuses:
            raise WrongStatus(STATUS_LABELS[request.status], "・".join(STATUS_LABELS[s] for s in statuses) or "—")
        return request

    async def _save(self, request: MunicipalRequest, values: dict[str, Any], change: str, *, reason: str) -> None:
        before = {name: to_jsonable_python(getattr(request, name)) for name in values}
        changes = diff(before, to_jsonable_python(values))
        if not changes:
            return
        for name, value in values.items():
            setattr(request, name, to_jsonable_python(value) if name == "attachments" else value)
        request.updated_by = self.principal.user_id
        await flush_versioned(self.session)
        await self._changed(request, changes, change, Operation.UPDATE, reason=reason)

    async def _changed(
        self, request: MunicipalRequest, changes: Any, change: str, operation: Operation, *, reason: str
    ) -> None:
        """The history row, the RequestChanged event and the audit of a saved change."""
        await self.edit_history.record(
            contact_id=request.id,  # the history table keys rows by the record they belong to
            record_type="request",
            record_id=request.id,
            version=request.version,
            changes=changes,
            reason=reason,
        )
        event = RequestChanged(request=snapshot(request, await self.read(request)), change=change)
        await outbox.add(
            self.session,
            Envelope.of(event, aggregate_id=request.id, version=request.version, actor=self.principal.user_id),
        )
        await self._audit(operation, request)

    async def _audit(
        self, operation: Operation, request: MunicipalRequest, *, record_type: str = RECORD, detail: str | None = None
    ) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=record_type,
            record_id=request.id,
            person_id=request.index_patient_id,
            detail=detail,
        )


def _common(data: OutgoingCreate | IncomingCreate) -> dict[str, Any]:
    return {
        "counterpart_code": data.counterpart_code,
        "counterpart_name": data.counterpart_name,
        "counterpart_section": data.counterpart_section,
        "reference": data.reference,
        "reply_by": data.reply_by,
        "index_infectiousness": str(data.index.infectiousness),
        "index_diagnosed_on": data.index.diagnosed_on,
        "index_infectious_from": data.index.infectious_from,
        "index_infectious_until": data.index.infectious_until,
        "index_summary": data.index.summary,
        "attachments": [a.model_dump() for a in data.attachments],
        "note": data.note,
    }


def _created(data: OutgoingCreate | IncomingCreate) -> dict[str, Any]:
    values = to_jsonable_python(_common(data))
    return {name: value for name, value in values.items() if value not in ("", [], None)}


def _sent_text(sending: Sending) -> str:
    text = f"{METHOD_LABELS[sending.method]}で{sending.recipient}へ送付（{sending.documents}）"
    if sending.key_channel:
        text += f"。パスワードは{KEY_CHANNEL_LABELS[sending.key_channel]}"
    return text


def days_waiting(request: MunicipalRequest, day: date) -> int | None:
    """Days since our request was sent (outgoing, while waiting) or since the request came (incoming, open)."""
    if request.direction == "outgoing" and request.status in WAITING and request.sent_on:
        return (day - request.sent_on).days
    if request.direction == "incoming" and request.status == "received":
        return (day - request.requested_on).days
    return None


def overdue(request: MunicipalRequest, day: date) -> bool:
    """An open request past its reply-by date."""
    return request.status in OPEN_STATUSES and request.reply_by is not None and request.reply_by < day


def deadlines(request: MunicipalRequest) -> list[Deadline]:
    """The reply awaited or owed, for the to-do list."""
    if request.reply_by is None:
        return []
    if request.direction == "outgoing" and request.status in WAITING:
        why = f"{request.counterpart_name}への接触者健診依頼の回答期限"
        return [Deadline(what="request_reply", step="reply_by", due_on=request.reply_by, why=why)]
    if request.direction == "incoming" and request.status == "received":
        why = f"{request.counterpart_name}からの接触者健診依頼への回答期限"
        return [Deadline(what="request_answer", step="reply_by", due_on=request.reply_by, why=why)]
    return []


def snapshot(request: MunicipalRequest, read: RequestRead) -> RequestSnapshot:
    """The event-carried state of a request, with its open deadline and what its letters print."""
    return RequestSnapshot(
        id=str(request.id),
        version=request.version,
        direction=request.direction,
        status=request.status,
        counterpart_code=request.counterpart_code,
        counterpart_name=request.counterpart_name,
        reference=request.reference,
        requested_on=request.requested_on,
        reply_by=request.reply_by,
        sent_on=request.sent_on,
        replied_on=request.replied_on,
        index_patient_id=str(request.index_patient_id),
        index_infectiousness=request.index_infectiousness,
        index_diagnosed_on=request.index_diagnosed_on,
        index_infectious_from=request.index_infectious_from,
        index_infectious_until=request.index_infectious_until,
        contact_ids=[str(item.contact_id) for item in request.items],
        deadlines=deadlines(request),
        counterpart_section=request.counterpart_section,
        index_label=read.index_name if request.direction == "incoming" else "",
        index_summary=request.index_summary,
        attachments=[str(a.get("title", "")) for a in request.attachments],
        items=[
            RequestItemSnapshot(**i.model_dump(mode="json", include=set(RequestItemSnapshot.model_fields)))
            for i in read.items
        ],
    )


def package_files(read: RequestRead) -> dict[str, bytes]:
    """What goes into the encrypted file: the letter's facts and the contacts, no name of the index patient."""
    index = read.index
    outgoing = read.direction == "outgoing"
    lines = [
        "接触者健康診断の依頼" if outgoing else "接触者健康診断の結果について（回答）",
        f"宛先: {read.counterpart_name} {read.counterpart_section}".rstrip(),
        f"文書番号: {read.reference}",
        f"依頼日: {read.requested_on.isoformat()}",
        f"回答期限: {read.reply_by.isoformat() if read.reply_by else '—'}",
        "",
        "発端患者の情報（健診に必要な範囲）",
        f"  感染性: {INFECTIOUSNESS_LABELS.get(str(index.infectiousness), '')}",
        f"  診断日: {index.diagnosed_on.isoformat() if index.diagnosed_on else '—'}",
        "  感染性期間: " + (f"{index.infectious_from or '—'} 〜 {index.infectious_until or '—'}"),
        f"  概要: {index.summary}",
        "",
        "添付: " + ("、".join(a.title for a in read.attachments) or "なし"),
        "",
        read.note,
    ]
    header = ["氏名", "カナ", "生年月日", "住所", "推奨する健診" if outgoing else "依頼された健診", "結果"]
    rows = [
        [
            i.name,
            i.name_kana,
            i.birth_date.isoformat() if i.birth_date else "",
            i.address,
            i.recommended,
            "" if outgoing else " / ".join(i.results),
        ]
        for i in read.items
    ]
    letter = "依頼書.txt" if outgoing else "回答書.txt"
    return {letter: "\r\n".join(lines).encode("utf-8"), "接触者一覧.csv": pkg.csv_bytes(header, rows)}


@dataclass(frozen=True)
class ResultWords:
    """An examination done, in words: its kind by the コード表's label, its result by its kind's rule."""

    book: CodeBook
    exam_rules: dict[str, str]

    def of(self, exam: Exam) -> str:
        """「<day> <kind> <result>」 (the finding when the kind has no fixed results)."""
        result = (results_of(exam.kind, self.exam_rules) or {}).get(exam.result, "") or exam.finding
        day = exam.done_on.isoformat() if exam.done_on else ""
        return f"{day} {self.book.label('screening_exam', exam.kind)} {result}"


def _read(
    request: MunicipalRequest,
    contacts: dict[uuid.UUID, Contact],
    exams: dict[uuid.UUID, list[Exam]],
    names: dict[uuid.UUID, str],
    sent: list[Sending],
    day: date,
    words: ResultWords,
) -> RequestRead:
    """One request's API view from the records read for it."""
    items = []
    for item in request.items:
        contact = contacts[item.contact_id]
        items.append(
            ItemRead(
                id=item.id,
                contact_id=contact.id,
                name=contact.name,
                name_kana=contact.name_kana,
                birth_date=contact.birth_date,
                address=contact.address,
                recommended=item.recommended,
                reply_note=item.reply_note,
                results=[words.of(e) for e in exams.get(contact.id, []) if e.status == "done" and e.done_on],
            )
        )
    sendings = [
        SendingRead.model_validate(s).model_copy(
            update={
                "method_label": METHOD_LABELS.get(s.method, s.method),
                "key_channel_label": KEY_CHANNEL_LABELS.get(s.key_channel, ""),
            }
        )
        for s in sent
    ]
    return RequestRead(
        id=request.id,
        version=request.version,
        direction=request.direction,
        direction_label=DIRECTION_LABELS[request.direction],
        status=request.status,
        status_label=STATUS_LABELS[request.status],
        counterpart_code=request.counterpart_code,
        counterpart_name=request.counterpart_name,
        counterpart_section=request.counterpart_section,
        reference=request.reference,
        requested_on=request.requested_on,
        reply_by=request.reply_by,
        index_patient_id=request.index_patient_id,
        index_name=names.get(request.index_patient_id, ""),
        index=IndexSummary(
            infectiousness=request.index_infectiousness,
            diagnosed_on=request.index_diagnosed_on,
            infectious_from=request.index_infectious_from,
            infectious_until=request.index_infectious_until,
            summary=request.index_summary,
        ),
        attachments=request.attachments,
        note=request.note,
        sent_on=request.sent_on,
        acknowledged_on=request.acknowledged_on,
        replied_on=request.replied_on,
        reply_document=request.reply_document,
        reply_note=request.reply_note,
        withdrawn_on=request.withdrawn_on,
        withdraw_reason=request.withdraw_reason,
        items=items,
        sendings=sendings,
        days_waiting=days_waiting(request, day),
        overdue=overdue(request, day),
    )
