"""Every table of the contacts database, for Alembic."""

from tbms_core.db import Base
from tbms_core.deadlines import PublishedDeadlines
from tbms_core.outbox import InboxMessage, OutboxMessage

from contacts.code_list.models import CodeEntry
from contacts.contact.models import Contact, ContactLink
from contacts.exam.models import Exam
from contacts.gaiji.models import GaijiRecord
from contacts.group.models import ContactGroup, GroupImport, GroupMember
from contacts.history.models import ContactVersion
from contacts.index_case.models import IndexCase
from contacts.institution.models import Institution
from contacts.request.models import MunicipalRequest, RequestContact, RequestPackage, Sending

metadata = Base.metadata
__all__ = [
    "CodeEntry",
    "Contact",
    "ContactGroup",
    "ContactLink",
    "ContactVersion",
    "Exam",
    "GaijiRecord",
    "GroupImport",
    "GroupMember",
    "InboxMessage",
    "IndexCase",
    "Institution",
    "MunicipalRequest",
    "OutboxMessage",
    "PublishedDeadlines",
    "RequestContact",
    "RequestPackage",
    "Sending",
    "metadata",
]
