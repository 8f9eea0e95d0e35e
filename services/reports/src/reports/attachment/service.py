"""Storing users' files with a record: size, type and virus checks first, then the store, versions, audit, events."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.reports import AttachmentStored, AttachmentWithdrawn
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import flush_versioned, new_id, utcnow
from tbms_core.events import Envelope

from reports.attachment.errors import (
    AttachmentNotFound,
    EmptyFile,
    FileInfected,
    FileTooLarge,
    FileTypeRefused,
    NotPreviewable,
    ScannerDown,
)
from reports.attachment.errors import (
    AttachmentWithdrawn as AlreadyWithdrawn,
)
from reports.attachment.models import Attachment, AttachmentFile
from reports.attachment.repository import AttachmentRepository
from reports.attachment.schemas import AttachmentDetails, AttachmentOwner, AttachmentWithdraw
from reports.document.errors import DocumentContentMissing
from reports.scanning import ScannerUnavailable, SignaturesTooOld, VirusScanner
from reports.sniffing import ACCEPTED, ACCEPTED_LABELS, FileType, judge
from reports.storage import DocumentStore, ObjectMissing, ObjectStream

SERVICE = "reports"
RECORD_TYPE = "attachment"
FILENAME_LENGTH = 200
# whose data an attachment is decides the second area a user needs (besides 資料)
OWNER_AREAS = {"patient": Area.PATIENTS, "contact": Area.CONTACTS, "review_case": Area.REVIEW, "request": Area.CONTACTS}


@dataclass(frozen=True)
class UploadedFile:
    """A file as the browser sent it: the name it had on the user's computer and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the size, type and virus checks."""

    filename: str
    data: bytes
    file_type: FileType
    scanned_by: str


@dataclass(frozen=True)
class OpenedFile:
    """A stored version opened for the browser: its name, type, size, checksum and the stream of its bytes."""

    filename: str
    fallback_name: str  # ASCII name for clients that do not read filename*
    content_type: str
    size: int
    sha256: str
    stream: ObjectStream


def display_name(filename: str) -> str:
    """The file's own name for display: no folders, no control characters, NFC, at most 200 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    return name[:FILENAME_LENGTH] or "無題"


def object_key(attachment_id: uuid.UUID, number: int) -> str:
    """Where a version lives in the bucket: built from ids only, never from a file name."""
    return f"attachments/{attachment_id}/v{number}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}MB" if size >= 1024 * 1024 else f"{size // 1024}KB"


class AttachmentService:
    """What staff do with their own documents: upload, replace, list, preview, download, withdraw."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, scanner: VirusScanner, max_bytes: int
    ) -> None:
        self.session, self.principal = session, principal
        self.store, self.scanner, self.max_bytes = store, scanner, max_bytes
        self.attachments = AttachmentRepository(session)

    async def upload(
        self, owner: AttachmentOwner, details: AttachmentDetails, files: list[UploadedFile]
    ) -> list[Attachment]:
        """Stores each file as a new attachment of the record, once every file passed its checks."""
        self._require(owner.owner_type, Access.UPDATE)
        checked = [await self._check(file, owner.person) for file in files]
        stored = []
        for file in checked:
            attachment = Attachment(
                id=new_id(),
                owner_type=owner.owner_type,
                owner_id=owner.owner_id,
                person_id=owner.person,
                kind=details.kind,
                title=details.title or file.filename,
                document_date=details.document_date,
                note=details.note,
                current_version=1,
                created_by=self.principal.user_id,
                created_by_name=self.principal.display_name,
                updated_by=self.principal.user_id,
                files=[],
            )
            await self.attachments.add(attachment)
            await self._store(attachment, file, 1)
            stored.append(attachment)
        return stored

    async def replace(self, attachment_id: uuid.UUID, version: int, file: UploadedFile) -> Attachment:
        """Adds a new version of the file; the older versions stay and can still be downloaded."""
        self.principal.require(Area.DOCUMENTS, Access.UPDATE)
        attachment = await self.attachments.get(attachment_id)
        self._require(attachment.owner_type, Access.UPDATE)
        attachment.check_version(version)
        if attachment.withdrawn_at is not None:
            raise AlreadyWithdrawn()
        checked = await self._check(file, attachment.person_id)
        number = max(f.number for f in attachment.files) + 1
        attachment.current_version, attachment.updated_by = number, self.principal.user_id
        await flush_versioned(self.session)
        await self._store(attachment, checked, number)
        return attachment

    async def withdraw(self, attachment_id: uuid.UUID, data: AttachmentWithdraw) -> Attachment:
        """Marks an attachment withdrawn with the reason; nothing is deleted from the store."""
        self.principal.require(Area.DOCUMENTS, Access.UPDATE)
        attachment = await self.attachments.get(attachment_id)
        self._require(attachment.owner_type, Access.UPDATE)
        attachment.check_version(data.version)
        if attachment.withdrawn_at is not None:
            raise AlreadyWithdrawn()
        attachment.withdrawn_at, attachment.withdrawn_by = utcnow(), self.principal.user_id
        attachment.withdrawn_reason, attachment.updated_by = data.reason, self.principal.user_id
        await flush_versioned(self.session)
        event = AttachmentWithdrawn(
            attachment_id=str(attachment.id),
            owner_type=attachment.owner_type,
            owner_id=str(attachment.owner_id),
            person_id=str(attachment.person_id),
            reason=data.reason,
            withdrawn_by=self.principal.user_id,
            withdrawn_at=attachment.withdrawn_at,
        )
        await self._publish(event, attachment)
        await self._audit(Operation.UPDATE, attachment, detail=f"取り下げ: {data.reason}")
        return attachment

    async def page_of_owner(
        self, owner_type: str, owner_id: uuid.UUID, *, withdrawn: bool, limit: int, offset: int
    ) -> tuple[list[Attachment], int]:
        """A record's attachments, newest first (audited as a read of that record's documents)."""
        self._require(owner_type, Access.READ)
        page = await self.attachments.page_of_owner(
            owner_type, owner_id, withdrawn=withdrawn, limit=limit, offset=offset
        )
        person = page[0][0].person_id if page[0] else (owner_id if owner_type in ("patient", "contact") else None)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type=RECORD_TYPE,
            person_id=person,
            query=f"owner_type={owner_type}&owner_id={owner_id}",
        )
        return page

    async def view(self, attachment_id: uuid.UUID) -> Attachment:
        """One attachment with its versions (audited as a read)."""
        self.principal.require(Area.DOCUMENTS, Access.READ)
        attachment = await self.attachments.get(attachment_id)
        self._require(attachment.owner_type, Access.READ)
        await self._audit(Operation.READ, attachment)
        return attachment

    async def open_file(self, attachment_id: uuid.UUID, number: int | None, *, preview: bool) -> OpenedFile:
        """A version's bytes for the browser: shown (preview, PDFs and images only) or downloaded, both audited."""
        self.principal.require(Area.DOCUMENTS, Access.READ)
        attachment = await self.attachments.get(attachment_id)
        self._require(attachment.owner_type, Access.READ)
        file = next((f for f in attachment.files if f.number == (number or attachment.current_version)), None)
        if file is None:
            raise AttachmentNotFound()
        file_type = ACCEPTED.get(file.content_type)
        if preview and not (file_type and file_type.previewable):
            raise NotPreviewable()
        try:
            stream = await self.store.open(file.object_key, file.object_version_id, session=self.session)
        except ObjectMissing as exc:
            raise DocumentContentMissing() from exc
        what = "プレビュー" if preview else "ダウンロード"
        detail = f"{what}: {attachment.title}（第{file.number}版 {file.sha256[:12]}）"
        await self._audit(Operation.READ if preview else Operation.DOWNLOAD, attachment, detail=detail)
        extension = file_type.extension if file_type else "bin"
        fallback = f"attachment-{attachment.id}-v{file.number}.{extension}"
        return OpenedFile(file.filename, fallback, file.content_type, file.size, file.sha256, stream)

    async def _check(self, file: UploadedFile, person_id: uuid.UUID) -> CheckedFile:
        """Size, then type from the bytes, then the virus scan; any failure refuses the whole upload."""
        name = display_name(file.filename)
        if not file.data:
            raise EmptyFile(
                f"「{name}」は空のファイルです。", errors={"files": "空のファイルは保存できません。"}
            ).about(person_id, name)
        if len(file.data) > self.max_bytes:
            limit = _megabytes(self.max_bytes)
            message = f"「{name}」（{_megabytes(len(file.data))}）は大きすぎます。1ファイル{limit}までです。"
            raise FileTooLarge(message, errors={"files": message}).about(person_id, name)
        file_type = judge(file.data)
        if file_type is None:
            message = f"「{name}」は受け付けられない種類のファイルです。保存できるのは{ACCEPTED_LABELS}です。"
            raise FileTypeRefused(message, errors={"files": message}).about(person_id, name)
        try:
            verdict = await self.scanner.scan(file.data)
        except SignaturesTooOld as exc:
            message = signatures_too_old(exc)
            raise ScannerDown(message, errors={"files": message}).about(person_id, name) from exc
        except ScannerUnavailable as exc:
            raise ScannerDown(errors={"files": ScannerDown.message}).about(person_id, name) from exc
        if not verdict.clean:
            message = f"「{name}」からウイルス（{verdict.signature}）が検出されたため、保存しませんでした。"
            raise FileInfected(message, errors={"files": message}).about(person_id, name)
        return CheckedFile(name, file.data, file_type, verdict.engine)

    async def _store(self, attachment: Attachment, file: CheckedFile, number: int) -> None:
        """Puts the checked bytes in the store as one version, and records it, its event and its audit."""
        key = object_key(attachment.id, number)
        metadata = {"attachment-id": str(attachment.id), "number": str(number)}
        stored = await self.store.put(
            key,
            file.data,
            content_type=file.file_type.media_type,
            metadata=metadata,
            person_id=attachment.person_id,
            session=self.session,
        )
        record = AttachmentFile(
            id=new_id(),
            attachment_id=attachment.id,
            number=number,
            filename=file.filename,
            content_type=file.file_type.media_type,
            size=stored.size,
            sha256=stored.sha256,
            object_key=stored.key,
            object_version_id=stored.version_id,
            scanned_by=file.scanned_by,
            uploaded_by=self.principal.user_id,
            uploaded_by_name=self.principal.display_name,
            uploaded_at=utcnow(),
        )
        await self.attachments.add_file(record)
        await self.session.refresh(attachment, ["files"])
        event = AttachmentStored(
            attachment_id=str(attachment.id),
            owner_type=attachment.owner_type,
            owner_id=str(attachment.owner_id),
            person_id=str(attachment.person_id),
            kind=attachment.kind,
            number=number,
            content_type=record.content_type,
            sha256=record.sha256,
            size=record.size,
            uploaded_by=record.uploaded_by,
            uploaded_at=record.uploaded_at,
        )
        await self._publish(event, attachment)
        verb = "登録" if number == 1 else f"第{number}版に差し替え"
        operation = Operation.CREATE if number == 1 else Operation.UPDATE
        await self._audit(operation, attachment, detail=f"{verb}: {attachment.title}（{record.sha256[:12]}）")

    def _require(self, owner_type: str, level: Access) -> None:
        """資料 at the level asked, and read access to the area whose personal data the record holds."""
        self.principal.require(Area.DOCUMENTS, level)
        self.principal.require(OWNER_AREAS.get(owner_type, Area.PATIENTS), Access.READ)

    async def _publish(self, event: AttachmentStored | AttachmentWithdrawn, attachment: Attachment) -> None:
        envelope = Envelope.of(
            event, aggregate_id=attachment.id, version=attachment.version, actor=self.principal.user_id
        )
        await outbox.add(self.session, envelope)

    async def _audit(self, operation: Operation, attachment: Attachment, *, detail: str | None = None) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=RECORD_TYPE,
            record_id=attachment.id,
            person_id=attachment.person_id,
            detail=detail,
        )


def signatures_too_old(refused: SignaturesTooOld) -> str:
    """Why an upload is refused when the virus signatures are too old, in Japanese."""
    status = refused.status
    limit = f"{status.refuse_after_hours / 24:g}日"
    if status.age_hours is None:
        why = "ウイルス定義の更新日が分からない"
    else:
        why = f"ウイルス定義が{status.age_hours / 24:.1f}日前のもので、上限の{limit}を超えている"
    return (
        f"{why}ため、ファイルを保存しませんでした。ウイルス定義の更新（freshclam）をシステム管理者に依頼してください。"
    )
