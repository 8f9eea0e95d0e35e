"""郵便番号 → 住所 from a table the project ships and can update (scripts/update_postal_codes.py)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from tbms_core.jp.text import digits_only

SHIPPED = Path(__file__).parents[2] / "data" / "postal_codes.csv"


@cache
def table(path: str = "") -> dict[str, str]:
    """The table as {7 digits: address}, read once per file."""
    source = Path(path) if path else SHIPPED
    with source.open(encoding="utf-8", newline="") as handle:
        return {digits_only(row["postal_code"]): row["address"] for row in csv.DictReader(handle)}


def address_of(postal_code: str, path: str = "") -> str:
    """The address of a postal code typed any way (154-0017, １５４００１７); "" when unknown."""
    digits = digits_only(postal_code)
    return table(path).get(digits, "") if len(digits) == 7 else ""
