"""Synthetic demo data for `make dev`: master data and patients through the real APIs, never real people (N14)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import httpx

from tbms_tools import config, demo_masters
from tbms_tools.keycloak import auth_headers

FAMILY = [
    ("試験", "シケン"),
    ("見本", "ミホン"),
    ("仮名", "カメイ"),
    ("検証", "ケンショウ"),
    ("髙橋", "タカハシ"),
    ("山﨑", "ヤマザキ"),
    ("渡邊", "ワタナベ"),
    ("齋藤", "サイトウ"),
    ("田中", "タナカ"),
    ("例題", "レイダイ"),
]
GIVEN = [
    ("太郎", "タロウ", "male"),
    ("花子", "ハナコ", "female"),
    ("一郎", "イチロウ", "male"),
    ("桜", "サクラ", "female"),
    ("健", "ケン", "male"),
    ("陽子", "ヨウコ", "female"),
]


def demo_patients(count: int, seed: int = 2026, districts: Sequence[str] = ()) -> list[dict[str, str]]:
    """Reproducible synthetic registrations with 和暦 and 西暦 birth dates mixed, as staff type them.

    The people are spread over `districts` in turn (masters' list); without any they have no district.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    people = []
    for i in range(count):
        family, family_kana = FAMILY[i % len(FAMILY)]
        given, given_kana, sex = GIVEN[rng.randrange(len(GIVEN))]
        year, month, day = rng.randint(1930, 2005), rng.randint(1, 12), rng.randint(1, 28)
        birth = f"S{year - 1925}.{month}.{day}" if 1927 <= year <= 1988 else f"{year}-{month:02d}-{day:02d}"
        people.append(
            {
                "name": f"{family} {given}",
                "name_kana": f"{family_kana} {given_kana}",
                "sex": sex,
                "birth_date": birth,
                "postal_code": f"154-{rng.randint(0, 9999):04d}",
                "address": f"東京都世田谷区試験町{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
                "phone": f"03-0000-{rng.randint(0, 9999):04d}",
                "category": "ltbi" if i % 7 == 6 else "patient",
            }
        )
        if districts:
            people[-1]["district"] = districts[i % len(districts)]
    return people


def register(client: httpx.Client, people: list[dict[str, str]]) -> list[dict[str, object]]:
    """Registers people through the patients API; fails loudly on the first refusal."""
    created = []
    for person in people:
        response = client.post("/patients", json=person)
        if response.status_code != 201:
            raise RuntimeError(f"demo patient refused ({response.status_code}): {response.text}")
        created.append(response.json())
    return created


def masters_districts() -> list[dict[str, str]]:
    """The districts masters holds (`code`, `name`), in their usual order (the stack is up when demo data is loaded)."""
    with httpx.Client(base_url=config.service_url("masters"), headers=auth_headers("nurse1"), timeout=30) as client:
        return list(client.get("/districts").raise_for_status().json())


def load_masters(districts: list[dict[str, str]]) -> int:
    """Adds the synthetic master rows masters does not hold yet (admin1 has マスタ管理 更新); returns how many."""
    rows = demo_masters.demo_masters(districts)
    with httpx.Client(base_url=config.service_url("masters"), headers=auth_headers("admin1"), timeout=30) as client:
        added = demo_masters.create(client, rows)
    print(f"[demo] added {added} of {len(rows)} synthetic master rows")
    return added


def load(count: int = 30) -> int:
    """Loads the master data, then registers demo patients unless there are patients; returns patients added."""
    districts = masters_districts()
    load_masters(districts)
    with httpx.Client(base_url=config.service_url("patients"), headers=auth_headers("nurse1"), timeout=30) as client:
        if client.get("/patients", params={"limit": 1}).raise_for_status().json()["total"] > 0:
            print("[demo] patients already present; nothing loaded")
            return 0
        register(client, demo_patients(count, districts=[str(district["name"]) for district in districts]))
    print(f"[demo] registered {count} synthetic patients")
    return count
