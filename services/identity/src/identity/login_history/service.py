"""Login history: the user's own last login and logout, and the history auditors search."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal

from identity.login_history.models import LoginEvent, LoginEventType
from identity.login_history.repository import LoginEventRepository
from identity.login_history.schemas import LastLogin, LoginEventFilter, LoginEventRead
from identity.login_history.sync import LoginSync

SERVICE = "identity"


def _read(event: LoginEvent | None) -> LoginEventRead | None:
    return LoginEventRead.model_validate(event) if event is not None else None


class LoginHistoryService:
    """What users and auditors learn from Keycloak's login events."""

    def __init__(self, session: AsyncSession, principal: Principal, sync: LoginSync) -> None:
        self.session, self.principal, self.sync = session, principal, sync
        self.events = LoginEventRepository(session)

    async def last_of_mine(self) -> LastLogin:
        """This session's login, the successful login before it, the last logout and failures since (N04)."""
        await self.sync.refresh(self.session)
        user, sid = self.principal.user_id, self.principal.session_id
        current = await self.events.latest(user, LoginEventType.LOGIN, session=sid)
        previous = await self.events.latest(
            user,
            LoginEventType.LOGIN,
            before=current.time if current else None,
            not_session=sid or (current.session_id if current else ""),
        )
        failed = await self.events.count(
            user, LoginEventType.LOGIN_ERROR, since=previous.time if previous else None, until=None
        )
        return LastLogin(
            current_login=_read(current),
            previous_login=_read(previous),
            last_logout=_read(await self.events.latest(user, LoginEventType.LOGOUT)),
            failed_logins_since_previous=failed,
        )

    async def search(self, criteria: LoginEventFilter, *, export: bool = False) -> list[LoginEvent]:
        """Login events matching the criteria, newest first; recorded as a read (or export) of the history."""
        self.principal.require(Area.AUDIT, Access.READ)
        await self.sync.refresh(self.session)
        rows = await self.events.search(**criteria.model_dump())
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.EXPORT if export else Operation.READ,
            record_type="login_history",
            query=criteria.as_query(),
        )
        return rows
