"""Encrypting a patient's filed documents into one file to send (N32): the PDFs from the document store in an
AES-256 ZIP whose key is returned once and never stored; the ciphertext is kept in the store, its row names what it
holds, who made it and when."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit, package
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import new_id, utcnow
from tbms_core.errors import InvalidInput

from reports.document.errors import DocumentContentMissing
from reports.document.filing import OWNER_AREAS
from reports.document.schemas import TITLED
from reports.package.models import DocumentPackage
from reports.package.repository import PackageRepository
from reports.package.schemas import PackageCreate, PackageMade, PackageRead
from reports.storage import DocumentStore, ObjectMissing, ObjectStream

SERVICE = "reports"


class PackageService:
    """What staff do with encrypted packages: make one of a patient's documents, download it."""

    def __init__(self, session: AsyncSession, principal: Principal, store: DocumentStore) -> None:
        self.session, self.principal, self.store = session, principal, store
        self.packages = PackageRepository(session)

    def _require_access(self) -> None:
        """A package holds personal data: 帳票 and 患者管理 at least 参照, as reading a document."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.PATIENTS, Access.READ)

    async def make(self, data: PackageCreate) -> PackageMade:
        """Encrypts the chosen documents of the patient (each must be theirs) into a new package."""
        self._require_access()
        found = await self.packages.documents(data.document_ids)
        others = [str(i) for i in data.document_ids if i not in found or found[i].patient_id != data.patient_id]
        if others:
            raise InvalidInput(
                errors={"document_ids": "この患者の帳票・資料ではないものが選ばれています。選び直してください。"}
            )
        documents = [found[i] for i in data.document_ids]
        for document in documents:
            self.principal.require(OWNER_AREAS.get(document.owner_type, Area.PATIENTS), Access.READ)
        files: dict[str, bytes] = {}
        for number, document in enumerate(documents, start=1):
            try:
                content = await self.store.read(document.object_key, document.version_id, session=self.session)
            except ObjectMissing as exc:
                raise DocumentContentMissing() from exc
            spec = TITLED.get(document.kind)
            title = spec.title if spec else document.kind
            files[f"{number:02d}_{document.kind}_{title}_{document.created_at:%Y%m%d}.pdf"] = content
        key = package.new_key()
        ciphertext = package.encrypted_zip(files, key)
        package_id = new_id()
        filename = f"送付資料_{today():%Y%m%d}_{str(package_id)[:8]}.zip"
        stored = await self.store.put(
            f"packages/{data.patient_id}/{package_id}.zip",
            ciphertext,
            content_type="application/zip",
            metadata={"patient-id": str(data.patient_id), "package-id": str(package_id)},
            person_id=data.patient_id,
            session=self.session,
        )
        made = DocumentPackage(
            id=package_id,
            patient_id=data.patient_id,
            document_ids=[str(d.id) for d in documents],
            filename=filename,
            object_key=stored.key,
            version_id=stored.version_id,
            sha256=stored.sha256,
            size=stored.size,
            made_by=self.principal.user_id,
            made_by_name=self.principal.display_name or self.principal.username,
            made_at=utcnow(),
        )
        await self.packages.add(made)
        kinds = "・".join(d.kind for d in documents)
        await self._audit(Operation.EXPORT, made, detail=f"暗号化ファイル {filename}（{kinds}）sha256={made.sha256}")
        return PackageMade(**PackageRead.model_validate(made).model_dump(), password=key)

    async def view(self, package_id: uuid.UUID) -> DocumentPackage:
        """One package's metadata (audited as a read)."""
        self._require_access()
        found = await self._get(package_id)
        await self._audit(Operation.READ, found)
        return found

    async def open_content(self, package_id: uuid.UUID) -> tuple[DocumentPackage, ObjectStream]:
        """The stored ciphertext, opened for streaming (audited as a download)."""
        self._require_access()
        found = await self._get(package_id)
        try:
            stream = await self.store.open(found.object_key, found.version_id, session=self.session)
        except ObjectMissing as exc:
            raise DocumentContentMissing() from exc
        await self._audit(Operation.DOWNLOAD, found, detail=found.filename)
        return found, stream

    async def _get(self, package_id: uuid.UUID) -> DocumentPackage:
        return await self.packages.get(package_id)

    async def _audit(self, operation: Operation, made: DocumentPackage, *, detail: str | None = None) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="document_package",
            record_id=made.id,
            person_id=made.patient_id,
            detail=detail,
        )
