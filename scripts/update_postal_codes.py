"""Makes the gateway's postal-code table (postal_code,address; UTF-8) from Japan Post's KEN_ALL.CSV (Shift_JIS).

    uv run python scripts/update_postal_codes.py KEN_ALL.CSV postal_codes.csv [--prefecture 東京都]

Towns Japan Post writes as 「以下に掲載がない場合」 keep only the city; a town split over several lines
(「（…」 without its closing bracket) keeps its first line's name before the bracket.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

NO_TOWN = "以下に掲載がない場合"


def rows(source: Path, prefecture: str = "") -> dict[str, str]:
    """{7 digits: address} of KEN_ALL.CSV (column 3 the code, 7–9 prefecture, city and town in kanji)."""
    table: dict[str, str] = {}
    with source.open(encoding="cp932", newline="") as handle:
        for line in csv.reader(handle):
            code, pref, city, town = line[2], line[6], line[7], line[8]
            if prefecture and pref != prefecture:
                continue
            town = "" if town == NO_TOWN else town.split("（", 1)[0]
            table.setdefault(code, f"{pref}{city}{town}")
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--prefecture", default="")
    args = parser.parse_args()
    table = rows(args.source, args.prefecture)
    with args.target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["postal_code", "address"])
        writer.writerows(sorted(table.items()))
    print(f"{len(table)}件の郵便番号を書き出しました: {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
