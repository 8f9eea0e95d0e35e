"""Every table of the workflow database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from workflow.circulation.models import Circulation, CirculationAction, CirculationReader
from workflow.route.models import Route
from workflow.todo.models import DeadlineSource, Todo

metadata = Base.metadata
__all__ = [
    "Circulation",
    "CirculationAction",
    "CirculationReader",
    "DeadlineSource",
    "InboxMessage",
    "OutboxMessage",
    "Route",
    "Todo",
    "metadata",
]
