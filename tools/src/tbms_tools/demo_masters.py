"""Synthetic master data for `make dev`: a fictitious health center, institutions, doctors, municipalities, board
members, staff assignments, payer numbers and population, loaded through the masters API; never real ones."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from tbms_core.jp.check_digits import modulus10_check_digit, modulus11_check_digit

PREFECTURE = "13"  # 東京都
VALID_FROM = "2025-04-01"
POPULATION_DATE = "2025-10-01"  # 令和7年10月1日, the reference date of the population estimates
AGE_GROUPS = [f"{low}-{low + 4}" for low in range(0, 85, 5)] + ["85-"]
REASON = "デモデータ（架空）"
PAGE = 500  # the most GET /masters/{kind} returns at once

PLACES = [("試験", "シケン"), ("架空", "カクウ"), ("見本", "ミホン"), ("例題", "レイダイ"), ("検証", "ケンショウ")]
INSTITUTION_KINDS = [  # name suffix, its kana, type, 点数表 (1 医科, 4 調剤)
    ("中央病院", "チュウオウビョウイン", "hospital", "1"),
    ("総合病院", "ソウゴウビョウイン", "hospital", "1"),
    ("呼吸器クリニック", "コキュウキクリニック", "clinic", "1"),
    ("内科クリニック", "ナイカクリニック", "clinic", "1"),
    ("こども診療所", "コドモシンリョウジョ", "clinic", "1"),
    ("薬局", "ヤッキョク", "pharmacy", "4"),
]
GIVEN = [("一郎", "イチロウ"), ("二郎", "ジロウ"), ("三郎", "サブロウ"), ("花子", "ハナコ"), ("桜", "サクラ")]
SPECIALTIES = ["呼吸器内科", "内科", "感染症内科", "小児科", "放射線科"]
MUNICIPALITIES = [  # name, its kana; all fictitious
    ("架空区", "カクウク"),
    ("試験市", "シケンシ"),
    ("見本市", "ミホンシ"),
    ("例題町", "レイダイマチ"),
    ("検証区", "ケンショウク"),
    ("仮想市", "カソウシ"),
    ("模擬町", "モギマチ"),
    ("想定村", "ソウテイムラ"),
    ("仮設市", "カセツシ"),
    ("架空北市", "カクウキタシ"),
]
BOARD_ROLES = ["doctor", "doctor", "doctor", "legal", "academic", "other"]
NURSES = [("nurse1", "試験 花子"), ("nurse2", "見本 桜"), ("nurse3", "例題 陽子"), ("nurse4", "検証 一美")]


@dataclass(frozen=True)
class MasterRow:
    """One row as POST /masters/{kind} takes it."""

    kind: str
    code: str
    name: str
    kana: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    valid_from: str = VALID_FROM

    def body(self) -> dict[str, Any]:
        """The JSON of the create request."""
        return {
            "code": self.code,
            "name": self.name,
            "kana": self.kana,
            "data": self.data,
            "valid_from": self.valid_from,
            "valid_to": None,
            "reason": REASON,
        }


def institution_code(table: str, area: str, number: int) -> str:
    """A 医療機関コード: 都道府県 2 + 点数表 1 + 郡市区 2 + 番号 4 + 検証番号 over 郡市区 and 番号."""
    six = f"{area}{number:04d}"
    return f"{PREFECTURE}{table}{six}{modulus10_check_digit(six)}"


def municipality_code(five: str) -> str:
    """A 全国地方公共団体コード: weights 6,5,4,3,2; 11 − (sum mod 11), keeping the last digit (10 → 0, 11 → 1)."""
    return f"{five}{modulus11_check_digit(five)}"


def payer_number(law: str, agency: int) -> str:
    """A 公費負担者番号: 法別番号 2 + 都道府県 2 + 実施機関 3 + 検証番号."""
    body = f"{law}{PREFECTURE}{agency:03d}"
    return f"{body}{modulus10_check_digit(body)}"


def letterhead() -> MasterRow:
    """This (fictitious) health center's own letterhead."""
    return MasterRow(
        "letterhead",
        "self",
        "架空区保健所",
        "カクウクホケンジョ",
        {
            "postal_code": "100-0000",
            "address": "東京都架空区試験町一丁目1番1号",
            "phone": "03-0000-0001",
            "fax": "03-0000-0002",
            "director_name": "見本 太郎",
            "director_title": "架空区保健所長",
            "contact_text": "架空区保健所 感染症対策課 結核係\n電話 03-0000-0001（内線 0000）",
        },
    )


def institutions(rng: random.Random) -> list[MasterRow]:
    """Thirty fictitious institutions: every place × every kind, 郡市区 99 (no real one is numbered so)."""
    rows = []
    for number, ((place, place_kana), (suffix, kana, kind, table)) in enumerate(
        ((p, k) for p in PLACES for k in INSTITUTION_KINDS), start=9001
    ):
        hospital = kind == "hospital"
        designated = kind != "pharmacy" and (hospital or rng.random() < 0.5)  # 結核指定医療機関 (法38条)
        rows.append(
            MasterRow(
                "institution",
                institution_code(table, "99", number),
                f"{place}{suffix}",
                f"{place_kana}{kana}",
                {
                    "postal_code": f"100-{number:04d}",
                    "address": f"東京都架空区{place}町{rng.randint(1, 5)}-{rng.randint(1, 20)}-{rng.randint(1, 9)}",
                    "phone": f"03-0000-{number:04d}",
                    "fax": f"03-0001-{number:04d}",
                    "type": kind,
                    "designated": designated,
                    "tb_beds": suffix == "中央病院",
                    "departments": "" if kind == "pharmacy" else "\n".join(_departments(rng, hospital)),
                }
                | ({"designated_from": "2020-04-01"} if designated else {})
                | ({"tb_bed_count": rng.randrange(10, 51, 5)} if suffix == "中央病院" else {}),
            )
        )
    return rows


def _departments(rng: random.Random, hospital: bool) -> list[str]:
    return ["内科", "呼吸器内科", *rng.sample(["感染症内科", "小児科", "放射線科", "外科"], 2 if hospital else 0)]


def doctors(rng: random.Random, at: Sequence[MasterRow]) -> list[MasterRow]:
    """Twenty obviously fictitious doctors (試験 一郎 …) at the hospitals and clinics."""
    places = [row for row in at if row.data["type"] != "pharmacy"]
    rows = []
    for i in range(20):
        family, family_kana = PLACES[i % len(PLACES)]
        given, given_kana = GIVEN[(i // len(PLACES)) % len(GIVEN)]
        rows.append(
            MasterRow(
                "doctor",
                f"D{i + 1:05d}",
                f"{family} {given}",
                f"{family_kana} {given_kana}",
                {"institution_code": rng.choice(places).code, "specialty": rng.choice(SPECIALTIES)},
            )
        )
    return rows


def municipalities() -> list[MasterRow]:
    """Ten fictitious municipalities and their 保健所, numbered 13901… (no real 東京都 code is)."""
    rows = []
    for i, (name, kana) in enumerate(MUNICIPALITIES, start=1):
        family, _ = PLACES[i % len(PLACES)]
        rows.append(
            MasterRow(
                "municipality",
                municipality_code(f"{PREFECTURE}9{i:02d}"),
                name,
                kana,
                {
                    "health_center_name": f"{name}保健所",
                    "director_name": f"{family} 所長",
                    "postal_code": f"100-00{i:02d}",
                    "address": f"東京都{name}本町{i}-1-1",
                    "phone": f"03-0002-{i:04d}",
                    "fax": f"03-0003-{i:04d}",
                },
            )
        )
    return rows


def board_members() -> list[MasterRow]:
    """Six fictitious members of the 感染症診査協議会: three doctors, a lawyer, an academic and a citizen."""
    rows = []
    for i, role in enumerate(BOARD_ROLES):
        family, family_kana = PLACES[(i + 2) % len(PLACES)]
        given, given_kana = GIVEN[i % len(GIVEN)]
        data = {"role": role, "term_from": VALID_FROM, "term_to": "2027-03-31"}
        rows.append(
            MasterRow("board_member", f"B{i + 1:03d}", f"{family} {given}", f"{family_kana} {given_kana}", data)
        )
    return rows


def staff_assignments(districts: Sequence[dict[str, Any]]) -> list[MasterRow]:
    """One nurse per district (the whole district), nurse1 first as in the demo realm."""
    rows = []
    for i, district in enumerate(districts):
        username, name = NURSES[i % len(NURSES)]
        data = {"district_code": district["code"], "nurse_username": username, "nurse_name": name, "areas": ""}
        rows.append(MasterRow("staff_assignment", f"S-{district['code']}", f"{district['name']} {name}", "", data))
    return rows


def payer_numbers(at: Sequence[MasterRow]) -> list[MasterRow]:
    """法別番号 10 (37条の2) and 11 (37条) of the first three municipalities as 実施機関 901, 902, 903."""
    rows = []
    for agency, municipality in enumerate(at[:3], start=901):
        for law, article in (("10", "37条の2"), ("11", "37条")):
            data = {"law": law, "agency": municipality.name}
            rows.append(
                MasterRow("payer_number", payer_number(law, agency), f"{municipality.name}（{article}）", "", data)
            )
    return rows


def population(rng: random.Random, districts: Sequence[dict[str, Any]]) -> list[MasterRow]:
    """Population per district × age group × sex on 令和7年10月1日: a plausible, synthetic shape."""
    rows = []
    for district in districts:
        for band, group in enumerate(AGE_GROUPS):
            for sex in ("male", "female"):
                older = 0.55 if band >= 15 else 1.0
                count = int(rng.randint(1200, 2200) * older * (1.2 if sex == "female" and band >= 14 else 1.0))
                code = f"{district['code']}:{group}:{sex}:{POPULATION_DATE}"
                data = {
                    "district_code": district["code"],
                    "age_group": group,
                    "sex": sex,
                    "reference_date": POPULATION_DATE,
                    "count": count,
                }
                # masters names the row itself (地区・年齢階級・性別・基準日), as it does for an imported one
                rows.append(MasterRow("population", code, "", "", data, valid_from=POPULATION_DATE))
    return rows


def demo_masters(districts: Sequence[dict[str, Any]], seed: int = 2026) -> list[MasterRow]:
    """Every synthetic master row, in an order where a referenced row comes first (institution before doctor)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    hospitals = institutions(rng)
    towns = municipalities()
    return [
        letterhead(),
        *hospitals,
        *doctors(rng, hospitals),
        *towns,
        *board_members(),
        *staff_assignments(districts),
        *payer_numbers(towns),
        *population(rng, districts),
    ]


def existing_codes(client: httpx.Client, kind: str) -> set[str]:
    """The codes masters already holds of a kind, ended rows included."""
    codes: set[str] = set()
    while True:
        params = {"include_ended": "true", "limit": PAGE, "offset": len(codes)}
        page = client.get(f"/masters/{kind}", params=params).raise_for_status().json()
        codes |= {item["code"] for item in page["items"]}
        if not page["items"] or len(codes) >= page["total"]:
            return codes


def create(client: httpx.Client, rows: Iterable[MasterRow]) -> int:
    """Creates the rows masters does not hold yet; returns how many were added. Fails loudly on a refusal."""
    held: dict[str, set[str]] = {}
    added = 0
    for row in rows:
        if row.kind not in held:
            held[row.kind] = existing_codes(client, row.kind)
        if row.code in held[row.kind]:
            continue
        response = client.post(f"/masters/{row.kind}", json=row.body())
        if response.status_code == 409:  # created meanwhile by another run
            continue
        if response.status_code != 201:
            raise RuntimeError(f"demo {row.kind} {row.code} refused ({response.status_code}): {response.text}")
        held[row.kind].add(row.code)
        added += 1
    return added
