"""The periodic access-rights review (N21): every account with why it needs a look, and the record of
each administrator's confirmation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal, levels_from_roles
from tbms_core.clock import today
from tbms_core.db import utcnow
from tbms_core.errors import InvalidInput

from identity.assignments.repository import AssignmentRepository
from identity.keycloak import KeycloakAdmin
from identity.rights_review.models import RightsConfirmation
from identity.rights_review.repository import RightsReviewRepository
from identity.rights_review.rules import Account, RightsThresholds, review
from identity.rights_review.schemas import DECISIONS, ConfirmationIn, ConfirmationRead, ReviewLine, RightsReport
from identity.users.service import SERVICE, UserAdminService, keycloak_call

PAGE = 200
PARALLEL = 8  # Keycloak calls in flight at once


def _ms(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value) / 1000, UTC) if value else None


class RightsReviewService:
    """Builds the review from Keycloak and the login history; records confirmations."""

    def __init__(
        self, session: AsyncSession, principal: Principal, keycloak: KeycloakAdmin, limits: RightsThresholds
    ) -> None:
        self.session, self.principal, self.keycloak, self.limits = session, principal, keycloak, limits
        self.repo = RightsReviewRepository(session)

    async def report(self) -> RightsReport:
        """Every account, those with reasons first; reading it is recorded."""
        self.principal.require(Area.USERS, Access.READ)
        accounts = await self._accounts()
        now = utcnow()
        confirmed = await self.repo.latest_confirmations()
        lines = []
        for account in accounts:
            found = review(account, now, self.limits)
            last = confirmed.get(account.id)
            lines.append(
                ReviewLine(
                    id=account.id,
                    username=account.username,
                    name=account.name,
                    enabled=account.enabled,
                    groups=list(account.groups),
                    levels={a.label: lv.label for a, lv in account.effective().items() if lv > Access.NONE},
                    last_login=account.last_login,
                    has_otp=account.has_otp,
                    reasons=found.reasons,
                    proposal=found.proposal,
                    last_confirmation=_confirmation(last) if last else None,
                )
            )
        lines.sort(key=lambda line: (not line.reasons, line.username))
        counts: dict[str, int] = {}
        for line in lines:
            for code in line.reasons:
                counts[code] = counts.get(code, 0) + 1
        await audit.record(self.session, self.principal, SERVICE, Operation.READ, record_type="rights_review")
        return RightsReport(
            generated_at=now,
            dormant_days=self.limits.dormant_days,
            temporary_password_days=self.limits.temporary_password_days,
            lines=lines,
            counts=counts,
        )

    async def confirm(self, user_id: str, decision: ConfirmationIn) -> ConfirmationRead:
        """Records the administrator's decision on an account; 無効にする also disables it."""
        self.principal.require(Area.USERS, Access.UPDATE)
        if decision.decision != "keep" and not decision.note.strip():
            raise InvalidInput(errors={"note": f"「{DECISIONS[decision.decision]}」の場合は、理由を記入してください。"})
        accounts = {account.id: account for account in await self._accounts(only=user_id)}
        account = accounts[user_id]
        found = review(account, utcnow(), self.limits)
        if decision.decision == "disable" and account.enabled:
            await UserAdminService(self.session, self.principal, self.keycloak).set_enabled(user_id, False)
        row = RightsConfirmation(
            user_id=user_id,
            username=account.username,
            decision=decision.decision,
            note=decision.note,
            reasons=found.reasons,
            confirmed_by=self.principal.username,
            confirmed_at=utcnow(),
        )
        self.repo.add(row)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type="rights_review",
            record_id=user_id,
            detail=DECISIONS[decision.decision],
        )
        await self.session.flush()
        return _confirmation(row)

    async def history(self, user_id: str) -> list[ConfirmationRead]:
        """Every confirmation of one account, newest first."""
        self.principal.require(Area.USERS, Access.READ)
        return [_confirmation(row) for row in await self.repo.confirmations(user_id)]

    async def _accounts(self, only: str | None = None) -> list[Account]:
        if only is not None:
            await UserAdminService(self.session, self.principal, self.keycloak).get(only)  # 404 when unknown
            raws = [await keycloak_call(self.keycloak.get(f"/users/{only}"))]
        else:
            raws = []
            while True:
                page = await keycloak_call(
                    self.keycloak.get("/users", {"briefRepresentation": "false", "first": len(raws), "max": PAGE})
                )
                raws.extend(page)
                if len(page) < PAGE:
                    break
        groups = await keycloak_call(self.keycloak.get("/groups", {"briefRepresentation": "false"}))
        group_levels = {g["name"]: levels_from_roles(frozenset(g.get("realmRoles") or [])) for g in groups}
        last_logins = await self.repo.last_logins()
        ended = await AssignmentRepository(self.session).ended_assignments(today())
        gate = asyncio.Semaphore(PARALLEL)

        async def one(raw: dict[str, Any]) -> Account:
            async with gate:
                member_of, roles, credentials = await asyncio.gather(
                    keycloak_call(self.keycloak.get(f"/users/{raw['id']}/groups")),
                    keycloak_call(self.keycloak.get(f"/users/{raw['id']}/role-mappings/realm")),
                    keycloak_call(self.keycloak.get(f"/users/{raw['id']}/credentials")),
                )
            names = tuple(sorted(g["name"] for g in member_of))
            password = next((c for c in credentials if c.get("type") == "password"), None)
            temporary = "UPDATE_PASSWORD" in (raw.get("requiredActions") or []) and password is not None
            return Account(
                id=raw["id"],
                username=raw["username"],
                name=f"{raw.get('lastName') or ''} {raw.get('firstName') or ''}".strip(),
                enabled=bool(raw.get("enabled")),
                created=_ms(raw.get("createdTimestamp")),
                groups=names,
                direct=levels_from_roles(frozenset(role["name"] for role in roles)),
                by_group={name: group_levels.get(name, {}) for name in names},
                last_login=last_logins.get(raw["id"]),
                has_otp=any(c.get("type") == "otp" for c in credentials),
                temporary_password_since=_ms(password.get("createdDate")) if temporary and password else None,
                ended_assignments=ended.get(raw["username"], ()),
            )

        return list(await asyncio.gather(*(one(raw) for raw in raws)))


def _confirmation(row: RightsConfirmation) -> ConfirmationRead:
    read = ConfirmationRead.model_validate(row)
    return read.model_copy(update={"decision_label": DECISIONS[row.decision]})
