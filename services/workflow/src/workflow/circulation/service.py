"""Circulations: submit a record into 回議 or 供覧, decide its steps, send back, re-submit, withdraw, read."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit, outbox
from tbms_core.auth import Access, Principal
from tbms_core.clock import now
from tbms_core.db import flush_versioned
from tbms_core.events import Envelope

from workflow.access import area_of, holds, services_visible, step_roles_held
from workflow.circulation.errors import (
    CirculationNotFound,
    CirculationNotOpen,
    NotAddressed,
    NotDrafter,
    NotStepHolder,
    OnBehalfNotAllowed,
)
from workflow.circulation.models import (
    APPROVED,
    CIRCULATING,
    DECISION,
    IN_PROGRESS,
    SENT_BACK,
    WITHDRAWN,
    Circulation,
    CirculationAction,
    CirculationReader,
)
from workflow.circulation.repository import CirculationRepository
from workflow.circulation.schemas import (
    CirculationCreate,
    CirculationDecision,
    CirculationDetail,
    CirculationRead,
    CirculationResubmit,
    CirculationSendBack,
    CirculationWithdraw,
    InboxCount,
    InboxRead,
    StampRead,
)
from workflow.circulation.stamps import changed_event, stamp_boxes
from workflow.route.service import RouteService

SERVICE = "workflow"
DRAFTER_ROLE = "担当"  # the first step of a route: the drafter's own box, stamped on submission


class CirculationService:
    """What users do with circulations; every change is recorded in the history and published with its stamps."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.circulations = CirculationRepository(session)
        self.routes = RouteService(session, principal)

    async def submit(self, data: CirculationCreate) -> Circulation:
        """Starts a 回議 on the document type's route (the drafter's 担当 box stamped), or a 供覧 to its readers."""
        self.principal.require(area_of(data.service), Access.UPDATE)
        circulation = Circulation(
            kind=data.kind,
            document_type=data.document_type,
            service=data.service,
            record_kind=data.record_kind,
            record_id=data.record_id,
            title=data.title,
            record_version=data.record_version,
            latest_record_version=data.record_version,
            drafter_id=self.principal.user_id,
            drafter_name=self.principal.display_name,
            teams=list(data.teams),
            updated_by=self.principal.user_id,
        )
        if data.kind == DECISION:
            route = await self.routes.route_of(data.document_type)
            circulation.steps = [_open_step(step.model_dump()) for step in route.steps]
            circulation.status = IN_PROGRESS
            self._stamp_drafter_box(circulation)
        else:
            circulation.status, circulation.steps = CIRCULATING, []
        await self.circulations.add(circulation)
        for reader in data.readers if data.kind != DECISION else []:
            await self.circulations.add_reader(
                CirculationReader(circulation_id=circulation.id, user_id=reader.user_id, name=reader.name)
            )
        await self._record(circulation, "submitted", comment="")
        return circulation

    async def approve(self, circulation_id: uuid.UUID, data: CirculationDecision) -> Circulation:
        """Approves the current step as its role's holder; the last step approves the whole circulation."""
        circulation = await self._open(circulation_id, data.version)
        role = circulation.current_role
        if not holds(self.principal, role):
            raise NotStepHolder()
        self._decide(circulation, on_behalf=False)
        await self._record(circulation, "approved", comment=data.comment, role=role)
        return circulation

    async def decide_on_behalf(self, circulation_id: uuid.UUID, data: CirculationDecision) -> Circulation:
        """Decides the current step for its holder (代決), where the route allows it for one of the user's roles."""
        circulation = await self._open(circulation_id, data.version)
        role = circulation.current_role
        if not any(holds(self.principal, other) for other in circulation.current_on_behalf):
            raise OnBehalfNotAllowed()
        self._decide(circulation, on_behalf=True)
        await self._record(circulation, "on_behalf", comment=data.comment, role=role)
        return circulation

    async def send_back(self, circulation_id: uuid.UUID, data: CirculationSendBack) -> Circulation:
        """Sends the circulation back to the drafter with a comment; the decisions so far are cleared."""
        circulation = await self._open(circulation_id, data.version)
        role = circulation.current_role
        if not holds(self.principal, role) and not any(holds(self.principal, r) for r in circulation.current_on_behalf):
            raise NotStepHolder()
        step = circulation.current_step
        circulation.status, circulation.comment = SENT_BACK, data.comment
        circulation.current_step, circulation.current_role, circulation.current_on_behalf = None, "", []
        await self._record(circulation, "sent_back", comment=data.comment, role=role, step=step)
        return circulation

    async def resubmit(self, circulation_id: uuid.UUID, data: CirculationResubmit) -> Circulation:
        """Submits a sent-back circulation again from the start of its route (only the drafter)."""
        circulation = await self._of_drafter(circulation_id, data.version)
        if circulation.status != SENT_BACK:
            raise CirculationNotOpen()
        circulation.steps = [_open_step(step) for step in circulation.steps]
        circulation.status, circulation.comment = IN_PROGRESS, ""
        if data.record_version is not None:
            circulation.record_version = data.record_version
            circulation.latest_record_version = max(circulation.latest_record_version, data.record_version)
        if data.title:
            circulation.title = data.title
        self._stamp_drafter_box(circulation)
        await self._record(circulation, "resubmitted", comment=data.comment)
        return circulation

    async def withdraw(self, circulation_id: uuid.UUID, data: CirculationWithdraw) -> Circulation:
        """Withdraws a circulation before its end (only the drafter)."""
        circulation = await self._of_drafter(circulation_id, data.version)
        if circulation.status not in (IN_PROGRESS, SENT_BACK, CIRCULATING):
            raise CirculationNotOpen()
        circulation.status = WITHDRAWN
        circulation.current_step, circulation.current_role, circulation.current_on_behalf = None, "", []
        await self._record(circulation, "withdrawn", comment=data.comment)
        return circulation

    async def mark_read(self, circulation_id: uuid.UUID) -> CirculationDetail:
        """Records that the user read a 供覧 addressed to them or to their team (a read receipt)."""
        circulation = await self._visible(circulation_id)
        if circulation.kind == DECISION or circulation.status != CIRCULATING:
            raise CirculationNotOpen()
        reader = await self.circulations.reader(circulation.id, self.principal.user_id)
        if reader is None:
            if not self.principal.district or self.principal.district not in circulation.teams:
                raise NotAddressed()
            reader = CirculationReader(
                circulation_id=circulation.id,
                user_id=self.principal.user_id,
                name=self.principal.display_name,
                addressed=False,
            )
            await self.circulations.add_reader(reader)
        if reader.read_at is None:
            reader.read_at, reader.name = now(), reader.name or self.principal.display_name
            await self.circulations.add_action(self._action(circulation, "read", comment=""))
        return await self.detail(circulation.id)

    async def detail(self, circulation_id: uuid.UUID) -> CirculationDetail:
        """A circulation with its history and readers (audited as a read)."""
        circulation = await self._visible(circulation_id)
        await self.session.flush()
        read = CirculationRead.model_validate(circulation).model_dump()
        actions = await self.circulations.actions(circulation.id)
        readers = await self.circulations.readers(circulation.id)
        await self._audit(Operation.READ, circulation)
        return CirculationDetail.model_validate({**read, "actions": actions, "readers": readers})

    async def of_record(self, service: str, record_kind: str, record_id: str) -> list[Circulation]:
        """The circulations of one record, newest first (the record's page shows them)."""
        self.principal.require(area_of(service), Access.READ)
        return await self.circulations.of_record(service, record_kind, record_id)

    async def inbox(self) -> InboxRead:
        """Waiting for me, sent by me, sent back to me, to read."""
        services = services_visible(self.principal)
        me = self.principal.user_id
        lists = {
            "waiting": await self.circulations.waiting_for(step_roles_held(self.principal), services),
            "sent": await self.circulations.drafted_by(me, services),
            "sent_back": await self.circulations.drafted_by(me, services, sent_back=True),
            "to_read": await self.circulations.to_read(me, self.principal.district, services),
        }
        shown = {name: [CirculationRead.model_validate(c) for c in found] for name, found in lists.items()}
        badge = len(shown["waiting"]) + len(shown["sent_back"]) + len(shown["to_read"])
        return InboxRead(**shown, badge=badge)

    async def inbox_count(self) -> InboxCount:
        """The counts of the header's badge: waiting for me and sent back to me (and 供覧 to read beside them)."""
        services = services_visible(self.principal)
        me = self.principal.user_id
        waiting = await self.circulations.count_waiting_for(step_roles_held(self.principal), services)
        sent_back = await self.circulations.count_sent_back(me, services)
        to_read = await self.circulations.count_to_read(me, self.principal.district, services)
        return InboxCount(waiting=waiting, sent_back=sent_back, to_read=to_read, badge=waiting + sent_back)

    async def stamps(self, service: str, record_kind: str, record_id: str) -> StampRead:
        """The stamp boxes of a record's latest 回議 (not withdrawn): names and dates if approved, else 未決裁."""
        self.principal.require(area_of(service), Access.READ)
        found = [
            c
            for c in await self.circulations.of_record(service, record_kind, record_id)
            if c.kind == DECISION and c.status != WITHDRAWN
        ]
        latest = found[0] if found else None
        return StampRead(
            service=service,
            record_kind=record_kind,
            record_id=record_id,
            circulation_id=latest.id if latest else None,
            approved=bool(latest and latest.status == APPROVED),
            changed_since_approval=bool(latest and latest.changed_since_approval),
            boxes=stamp_boxes(latest),
        )

    def _decide(self, circulation: Circulation, *, on_behalf: bool) -> None:
        steps = [dict(step) for step in circulation.steps]
        steps[circulation.current_step or 0] |= {
            "decided_by": self.principal.user_id,
            "decided_by_name": self.principal.display_name,
            "decided_at": now().isoformat(),
            "on_behalf": on_behalf,
        }
        circulation.steps = steps
        self._advance(circulation)

    def _stamp_drafter_box(self, circulation: Circulation) -> None:
        """The drafter's own 担当 step is decided by submitting (when the route starts with it)."""
        steps = [dict(step) for step in circulation.steps]
        if steps and steps[0]["role"] == DRAFTER_ROLE:
            steps[0] |= {
                "decided_by": self.principal.user_id,
                "decided_by_name": self.principal.display_name,
                "decided_at": now().isoformat(),
                "on_behalf": False,
            }
        circulation.steps = steps
        self._advance(circulation)

    @staticmethod
    def _advance(circulation: Circulation) -> None:
        """Moves to the first undecided step, or approves the circulation when every step is decided."""
        for position, step in enumerate(circulation.steps):
            if not step.get("decided_at"):
                circulation.current_step, circulation.current_role = position, step["role"]
                circulation.current_on_behalf = list(step.get("on_behalf_by") or [])
                return
        circulation.status, circulation.approved_at = APPROVED, now()
        circulation.current_step, circulation.current_role, circulation.current_on_behalf = None, "", []
        circulation.changed_since_approval, circulation.changed_fields = False, []
        circulation.latest_record_version = circulation.record_version

    async def _visible(self, circulation_id: uuid.UUID) -> Circulation:
        circulation = await self.circulations.get(circulation_id)
        if circulation.service not in services_visible(self.principal):
            raise CirculationNotFound()
        return circulation

    async def _open(self, circulation_id: uuid.UUID, version: int) -> Circulation:
        circulation = await self._visible(circulation_id)
        circulation.check_version(version)
        if circulation.kind != DECISION or circulation.status != IN_PROGRESS:
            raise CirculationNotOpen()
        return circulation

    async def _of_drafter(self, circulation_id: uuid.UUID, version: int) -> Circulation:
        circulation = await self._visible(circulation_id)
        if circulation.drafter_id != self.principal.user_id:
            raise NotDrafter()
        circulation.check_version(version)
        return circulation

    def _action(self, circulation: Circulation, action: str, **values: Any) -> CirculationAction:
        return CirculationAction(
            circulation_id=circulation.id,
            at=now(),
            action=action,
            actor_id=self.principal.user_id,
            actor_name=self.principal.display_name,
            record_version=circulation.record_version,
            **values,
        )

    async def _record(self, circulation: Circulation, action: str, *, comment: str, **values: Any) -> None:
        """Saves the change, its history entry, the outbox event with the stamps, and the audit entry."""
        circulation.updated_by = self.principal.user_id
        await self.circulations.add_action(self._action(circulation, action, comment=comment, **values))
        await flush_versioned(self.session)
        await publish_changed(self.session, circulation, actor=self.principal.user_id)
        await self._audit(Operation.CREATE if action == "submitted" else Operation.UPDATE, circulation)

    async def _audit(self, operation: Operation, circulation: Circulation) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="circulation",
            record_id=circulation.id,
            person_id=circulation.record_id if circulation.record_kind == "patient" else None,
        )


def _open_step(step: dict[str, Any]) -> dict[str, Any]:
    """A route step with no decision yet."""
    return {
        "role": step["role"],
        "on_behalf_by": list(step.get("on_behalf_by") or []),
        "decided_by": "",
        "decided_by_name": "",
        "decided_at": None,
        "on_behalf": False,
    }


async def publish_changed(session: AsyncSession, circulation: Circulation, *, actor: str) -> None:
    """Puts CirculationChanged (with the stamp boxes) in the outbox, in the caller's transaction."""
    envelope = Envelope.of(
        changed_event(circulation), aggregate_id=circulation.id, version=circulation.version, actor=actor
    )
    await outbox.add(session, envelope)


class RecordVersionTracker:
    """Marks approved 回議 as changed when the owning service's snapshot of the record has a higher version."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.circulations = CirculationRepository(session)

    async def saw(self, service: str, record_kind: str, record_id: str, version: int, changed: list[str]) -> None:
        """Applies a record's new version to its approved circulations (older or equal versions change nothing)."""
        for circulation in await self.circulations.approved_before(service, record_kind, record_id, version):
            first = not circulation.changed_since_approval
            circulation.latest_record_version = version
            circulation.changed_since_approval = True
            circulation.changed_fields = sorted({*circulation.changed_fields, *changed})
            circulation.updated_by = "event"
            await flush_versioned(self.session)
            if first:
                await publish_changed(self.session, circulation, actor="")
