"""Requests to and from other municipalities' health centres (他自治体への依頼・他自治体からの依頼), the contacts they
concern, the encrypted packages made for them and every sending of personal data outside the health centre."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship
from tbms_core.db import Base, Versioned, new_id, utcnow


class MunicipalRequest(Versioned, Base):
    """One request, outgoing (we ask another health centre to examine our contacts) or incoming (we are asked)."""

    __tablename__ = "municipal_requests"
    __table_args__ = (Index("ix_municipal_requests_status_reply_by", "status", "reply_by"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    direction: Mapped[str] = mapped_column(String(10), nullable=False)  # outgoing / incoming
    status: Mapped[str] = mapped_column(String(10), nullable=False)  # draft sent awaiting answered withdrawn received
    counterpart_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # masters code
    counterpart_name: Mapped[str] = mapped_column(String(200), nullable=False)  # the other health centre
    counterpart_section: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # 担当課・担当者
    reference: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # 文書番号
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    reply_by: Mapped[date | None] = mapped_column(Date)
    # our index patient (outgoing) or the external index recorded for the sender's case (incoming)
    index_patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    # what the addressee needs of the index case, and no more: infectiousness and dates
    index_infectiousness: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    index_diagnosed_on: Mapped[date | None] = mapped_column(Date)
    index_infectious_from: Mapped[date | None] = mapped_column(Date)
    index_infectious_until: Mapped[date | None] = mapped_column(Date)
    index_summary: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sent_on: Mapped[date | None] = mapped_column(Date)  # our request sent, or our reply sent (incoming)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)  # their reply received (outgoing)
    reply_document: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    reply_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdraw_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    items: Mapped[list[RequestContact]] = relationship(
        back_populates="request", lazy="selectin", order_by="RequestContact.position"
    )


class RequestContact(Base):
    """A contact the request concerns, with the screening recommended and, once answered, the reply's note."""

    __tablename__ = "municipal_request_contacts"
    __table_args__ = (
        Index("ix_municipal_request_contacts_contact_id", "contact_id"),
        Index("uq_municipal_request_contacts", "request_id", "contact_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipal_requests.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"), nullable=False)
    position: Mapped[int] = mapped_column(nullable=False, default=0)
    recommended: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # 推奨する健診
    reply_note: Mapped[str] = mapped_column(String(1000), nullable=False, default="")

    request: Mapped[MunicipalRequest] = relationship(back_populates="items")


class RequestPackage(Base):
    """An AES-256 encrypted ZIP made for sending; its key was shown once and is never stored (N32)."""

    __tablename__ = "municipal_request_packages"
    __table_args__ = (Index("ix_municipal_request_packages_request_id", "request_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipal_requests.id", ondelete="CASCADE"), nullable=False
    )
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # ciphertext only
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    made_by: Mapped[str] = mapped_column(String(64), nullable=False)


class Sending(Base):
    """One sending of personal data to another body: what, to whom, when, how, and how the key travelled (N32)."""

    __tablename__ = "municipal_sendings"
    __table_args__ = (Index("ix_municipal_sendings_request_id", "request_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipal_requests.id", ondelete="CASCADE"), nullable=False
    )
    what: Mapped[str] = mapped_column(String(20), nullable=False)  # request / reply
    documents: Mapped[str] = mapped_column(String(500), nullable=False)  # what was sent, as the user names it
    recipient: Mapped[str] = mapped_column(String(300), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)  # paper_mail / hand / electronic
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    package_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    package_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    key_channel: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # phone / fax / post / hand
    key_sent_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    sent_by: Mapped[str] = mapped_column(String(64), nullable=False)
    sent_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
