"""The assignments read model (N21): who is related to each patient and contact, kept from the owners' events.

The patients, contacts, workflow and masters services publish who is responsible for a record; identity keeps
what the unusual-access rule "no relation to the case" needs to tell a responsible nurse's look from anyone's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ARRAY, Boolean, Date, DateTime, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class PersonAssignment(Base):
    """A patient's (or contact's) district and 担当保健師 as the newest snapshot of the owning service says."""

    __tablename__ = "person_assignments"

    person_id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)  # patient, contact
    district: Mapped[str] = mapped_column(Text, nullable=False, default="")
    nurse: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the nurse's user name
    index_patient_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)  # a contact's
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RecordParticipant(Base):
    """A user named on a person's record by a circulation (回議・供覧) they acted on or a to-do they hold."""

    __tablename__ = "record_participants"

    person_id: Mapped[str] = mapped_column(Text, primary_key=True)
    who: Mapped[str] = mapped_column(Text, primary_key=True)  # a user id (circulation) or a user name (to-do)
    via: Mapped[str] = mapped_column(Text, primary_key=True)  # circulation, todo
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class DistrictStaff(Base):
    """A 担当保健師 master record: which user works which district (the district's team)."""

    __tablename__ = "district_staff"
    __table_args__ = (Index("ix_district_staff_district", "district"),)

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    district: Mapped[str] = mapped_column(Text, nullable=False)
    username: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    valid_to: Mapped[date | None] = mapped_column(Date)  # the last day of the assignment, when it is to end
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class DistrictTeam(Base):
    """A 地区 master record's 担当班: districts of one team share their staff."""

    __tablename__ = "district_teams"

    district: Mapped[str] = mapped_column(Text, primary_key=True)
    team: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
