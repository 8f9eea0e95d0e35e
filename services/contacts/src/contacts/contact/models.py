"""Contact tables: the person exposed (接触者) and each exposure to an index patient."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship
from tbms_core.db import Base, Versioned, new_id


class Contact(Versioned, Base):
    """A person exposed to one or more index patients, with the screening outcome."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_name_kana_birth", "name_kana", "birth_date"),
        Index("ix_contacts_found_on_name_kana_id", "found_on", "name_kana", "id"),  # the list's order
        Index("ix_contacts_next_due_on_name_kana_id", "next_due_on", "name_kana", "id"),  # the screening list's
        Index(  # a nurse's list: those still followed, earliest due first, and its counts without the table
            "ix_contacts_active_next_due",
            "next_due_on",
            "name_kana",
            "id",
            postgresql_where=text("status = 'active'"),
            postgresql_include=["priority", "has_result"],
        ),
        Index("ix_contacts_name_kana_id", "name_kana", "id"),  # the screening list by name
        Index("ix_contacts_birth_date", "birth_date"),  # the duplicate check
        Index("ix_contacts_phone_digits", "phone_digits", postgresql_where="phone_digits <> ''"),
        Index("ix_contacts_patient_id", "patient_id", postgresql_where="patient_id IS NOT NULL"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    found_on: Mapped[date] = mapped_column(Date, nullable=False)  # the day the contact was listed (plan start)
    name: Mapped[str] = mapped_column(String(100), nullable=False)  # stored exactly as given, never NFKC
    name_kana: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    sex: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    affiliation: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # school or workplace
    residence: Mapped[str] = mapped_column(String(20), nullable=False, default="here")  # here / elsewhere
    municipality: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # 他自治体 as typed
    municipality_code: Mapped[str] = mapped_column(String(6), nullable=False, default="")  # 全国地方公共団体コード
    risk_factors: Mapped[list[str]] = mapped_column(ARRAY(String(30)), nullable=False, default=list)
    symptomatic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    priority_override: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    priority_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    outcome: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    outcome_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active")  # active / ended
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # 担当保健師 (user name): by the address from masters' staff assignment at registration, or chosen; "" = the
    # index patient's nurse follows the contact's to-dos
    nurse: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # the registered patient this contact is (handed over after 発病, or already a patient when listed)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Derived on every save from the rules and the exams (see ContactService.derive), so the screening list can
    # filter and sort a million contacts in SQL: the first open plan item's day, the priority in force, and
    # whether any exam was done. They do not depend on today, only on the stored facts and the settings.
    next_due_on: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    has_result: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    phone_digits: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # the duplicate check's key

    links: Mapped[list[ContactLink]] = relationship(
        back_populates="contact", lazy="selectin", order_by="ContactLink.created_order"
    )


class ContactLink(Base):
    """One contact's exposure to one index patient (the same person may be a contact of several)."""

    __tablename__ = "contact_links"
    __table_args__ = (
        Index("ix_contact_links_index_patient_id", "index_patient_id"),
        Index("uq_contact_links_contact_index", "contact_id", "index_patient_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False)
    index_patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    created_order: Mapped[int] = mapped_column(nullable=False, default=0)
    setting: Mapped[str] = mapped_column(String(20), nullable=False)  # 接触の場
    relation: Mapped[str] = mapped_column(String(50), nullable=False, default="")  # 続柄・関係 as typed (父, 同僚)
    first_contact_on: Mapped[date | None] = mapped_column(Date)
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[float | None] = mapped_column(Float)  # total hours together
    frequency: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # 毎日, 週2回 …
    closed_room: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    poor_ventilation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    infectiousness: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")  # of the index case
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    contact: Mapped[Contact] = relationship(back_populates="links")
