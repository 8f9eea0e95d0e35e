"""利用統計 (N30): the use of the system month by month, counted in the database from the login and operation
history, for administrators; reading it is itself audited."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal

from identity.audit_log.repository import AuditEventRepository
from identity.login_history.repository import LoginEventRepository
from identity.periods import period_end, period_start
from identity.usage.schemas import MonthUsage, SearchWordCount, SearchWordReport, UsageReport
from identity.usage.words import masked, typed_words

SERVICE = "identity"
MAX_MONTHS = 60  # five years at most in one answer
MAX_TOP = 100  # the most frequent words one answer names
MAX_KEEP = 500  # districts kept as typed: a city has a few dozen
COUNTED = {
    Operation.READ.value: "reads",
    Operation.PRINT.value: "prints",
    Operation.DOWNLOAD.value: "downloads",
    Operation.EXPORT.value: "exports",
    Operation.SEARCH.value: "searches",
}


def months_between(first: date, last: date) -> list[str]:
    """Every month from the one holding `first` to the one holding `last`, as YYYY-MM."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class UsageService:
    """Counts logins, page views per area, prints, downloads, exports and searches per month."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal

    async def monthly(self, first: date, last: date) -> UsageReport:
        """The months from `first` to `last` (JST days, inclusive)."""
        self.principal.require(Area.AUDIT, Access.READ)
        since, until = period_start(first), period_end(last)
        assert since is not None and until is not None
        months = {month: MonthUsage(month=month) for month in months_between(first, last)}
        for month, operation, service, rows in await AuditEventRepository(self.session).monthly_counts(since, until):
            if month not in months or operation not in COUNTED:
                continue
            usage = months[month]
            setattr(usage, COUNTED[operation], getattr(usage, COUNTED[operation]) + rows)
            if operation == Operation.READ.value:
                usage.areas[service] = usage.areas.get(service, 0) + rows
        for month, logins, users in await LoginEventRepository(self.session).monthly_logins(since, until):
            if month in months:
                months[month].logins, months[month].users = logins, users
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="usage_statistics",
            query=f"from={first.isoformat()}&to={last.isoformat()}",
        )
        return UsageReport(months=list(months.values()))

    async def search_words(self, first: date, last: date, *, top: int, keep: Iterable[str]) -> SearchWordReport:
        """The `top` most frequent words of every search from `first` to `last` (JST days, inclusive), masked:
        only the districts in `keep` and era years are shown as typed."""
        self.principal.require(Area.AUDIT, Access.READ)
        since, until = period_start(first), period_end(last)
        assert since is not None and until is not None
        kept, searches = frozenset(keep), 0
        words: Counter[str] = Counter()
        async for query, times in AuditEventRepository(self.session).search_queries(since, until):
            typed = [masked(word, kept) for word in typed_words(query)]
            searches += times if typed else 0
            for word in typed:
                words[word] += times
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="usage_statistics",
            query=f"from={first.isoformat()}&to={last.isoformat()}&top={top}",
            detail="search_words",
        )
        ranked = sorted(words.items(), key=lambda item: (-item[1], item[0]))[:top]
        return SearchWordReport(searches=searches, words=[SearchWordCount(word=w, count=n) for w, n in ranked])
