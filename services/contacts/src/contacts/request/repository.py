"""Every query of the request module; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, select
from tbms_core.repository import Repository

from contacts.contact.models import Contact
from contacts.request.errors import PackageNotFound, RequestNotFound
from contacts.request.models import MunicipalRequest, RequestContact, RequestPackage, Sending
from contacts.request.schemas import OPEN_STATUSES


class RequestRepository(Repository[MunicipalRequest]):
    """Reads and writes requests in the caller's unit of work."""

    model = MunicipalRequest
    not_found = RequestNotFound

    async def page(
        self, *, direction: str | None, open_only: bool, limit: int, offset: int
    ) -> tuple[list[MunicipalRequest], int]:
        """Requests of the board: open ones first by reply-by date (none last), then the newest."""
        where = []
        if direction:
            where.append(MunicipalRequest.direction == direction)
        if open_only:
            where.append(MunicipalRequest.status.in_(OPEN_STATUSES))
        total = await self.session.scalar(select(func.count()).select_from(MunicipalRequest).where(*where)) or 0
        rows = await self.session.scalars(
            select(MunicipalRequest)
            .where(*where)
            .order_by(
                MunicipalRequest.reply_by.asc().nulls_last(),
                MunicipalRequest.requested_on.desc(),
                MunicipalRequest.id,
            )
            .limit(limit)
            .offset(offset)
        )
        return list(rows), total

    async def contacts(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Contact]:
        """The contacts of a request by id (unknown ids left out)."""
        if not ids:
            return {}
        return {c.id: c for c in await self.session.scalars(select(Contact).where(Contact.id.in_(ids)))}

    async def of_contacts(self, contact_ids: Collection[uuid.UUID]) -> list[MunicipalRequest]:
        """The requests concerning any of these contacts."""
        if not contact_ids:
            return []
        ids = select(RequestContact.request_id).where(RequestContact.contact_id.in_(contact_ids))
        return list(await self.session.scalars(select(MunicipalRequest).where(MunicipalRequest.id.in_(ids))))

    async def sendings_of(self, request_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Sending]]:
        """The sendings of several requests, oldest first."""
        if not request_ids:
            return {}
        rows = await self.session.scalars(
            select(Sending).where(Sending.request_id.in_(request_ids)).order_by(Sending.recorded_at)
        )
        found: dict[uuid.UUID, list[Sending]] = {}
        for sending in rows:
            found.setdefault(sending.request_id, []).append(sending)
        return found

    async def package(self, request_id: uuid.UUID, package_id: uuid.UUID) -> RequestPackage:
        """One encrypted package of the request, or PackageNotFound."""
        package = await self.session.get(RequestPackage, package_id)
        if package is None or package.request_id != request_id:
            raise PackageNotFound()
        return package
