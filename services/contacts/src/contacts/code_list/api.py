"""The code lists of the contact forms (接触の場, 検査の種類, 続柄・関係) with their labels and the rule each code
has, so the forms offer the コード表's codes and show what the screening rules make of them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel
from tbms_core.clock import today
from tbms_core.db import SessionDep

from contacts.code_list.book import NAMES
from contacts.code_list.service import code_book
from contacts.contact.rules import exam_rule, setting_rule
from contacts.deps import MAY_READ
from contacts.settings import get_settings

router = APIRouter(prefix="/reference", tags=["コード表"])
FORMER = "former:"


class CodeRule(BaseModel):
    """What the screening rules make of one code, and the basis shown beside it."""

    rule: str  # close / "" for a setting; igra, tst, xray, sputum / "" (the default) for a kind
    label: str
    basis: str


class ContactCodes(BaseModel):
    """`lists`: {list: {code: label}} offered on the day, and under `former:<list>` the ended ones old records
    show; `rules`: {list: {code: rule}} of 接触の場 and 検査の種類, every code known."""

    lists: dict[str, dict[str, str]]
    rules: dict[str, dict[str, CodeRule]]


@router.get("/codes", dependencies=MAY_READ)
async def contact_codes(session: SessionDep, on: date | None = None) -> ContactCodes:
    """The contact forms' code lists from masters' コード表 as in force on `on` (today unless given)."""
    book, day, screening = await code_book(session), on or today(), get_settings().screening_rules()
    lists: dict[str, dict[str, str]] = {}
    for name in NAMES:
        lists[name] = book.choices(name, day)
        lists[f"{FORMER}{name}"] = book.former(name, day)
    rules = {
        "contact_setting": {
            value: CodeRule(rule=j.value, label=j.label, basis=j.basis)
            for value in book.labels("contact_setting")
            if (j := setting_rule(value, screening))
        },
        "screening_exam": {
            value: CodeRule(rule=j.value, label=j.label, basis=j.basis)
            for value in book.labels("screening_exam")
            if (j := exam_rule(value, screening))
        },
    }
    return ContactCodes(lists=lists, rules=rules)
