"""The items of each kind of test, validated, and the one-line result staff read in the timeline."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Kind(StrEnum):
    """検査種別."""

    SMEAR = "smear"  # 塗抹
    CULTURE = "culture"  # 培養
    NAAT = "naat"  # 核酸増幅法
    IDENTIFICATION = "identification"  # 同定
    DST = "dst"  # 薬剤感受性
    IGRA = "igra"
    TST = "tst"  # ツベルクリン反応


class Specimen(StrEnum):
    """検体."""

    SPUTUM = "喀痰"
    GASTRIC = "胃液"
    BRONCHIAL = "気管支洗浄液"
    PLEURAL = "胸水"
    URINE = "尿"
    TISSUE = "組織"
    OTHER = "その他"


# The built-in 薬剤 and 検体 lists; masters' コード表 is their source once it has sent them (patients.code_list).
DRUGS = ("INH", "RFP", "EB", "SM", "PZA", "LVFX", "KM", "TH", "EVM", "PAS", "CS", "DLM", "BDQ")
_MINUS = {"-": "−", "ー": "−", "－": "−", "‐": "−", "+-": "±", "+/-": "±"}


def _sign(value: object) -> object:
    """Accepts the minus and plus-minus signs as staff type them."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip().replace("＋", "+")
    return _MINUS.get(text, text)


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SmearDetails(_Details):
    """塗抹: the current grade and, from old records, the Gaffky number, both kept."""

    grade: Literal["−", "±", "1+", "2+", "3+"] | None = None
    gaffky: str | None = None  # ガフキー号数 G0–G10

    _signs = field_validator("grade", mode="before")(_sign)

    @field_validator("gaffky", mode="before")
    @classmethod
    def _gaffky(cls, value: object) -> object:
        if not isinstance(value, str) or not value.strip():
            return None
        text = unicodedata.normalize("NFKC", value).strip().upper().removeprefix("ガフキー")
        number = text.removeprefix("G").removesuffix("号")
        if not re.fullmatch(r"\d{1,2}", number) or int(number) > 10:
            raise ValueError("ガフキー号数はG0〜G10で入力してください。")
        return f"G{int(number)}"

    @model_validator(mode="after")
    def _one_of_them(self) -> SmearDetails:
        if self.grade is None and self.gaffky is None:
            raise ValueError("塗抹の判定（−〜3+）またはガフキー号数を入力してください。")
        return self


class CultureDetails(_Details):
    """培養: medium, result and the colony grade."""

    medium: Literal["液体", "小川"]
    result: Literal["陰性", "陽性", "培養中", "汚染"]
    colony_grade: str = Field(default="", max_length=20)


class NaatDetails(_Details):
    """核酸増幅法 (PCR/LAMP)."""

    method: Literal["PCR", "LAMP"]
    result: Literal["−", "+", "検査中"]

    _signs = field_validator("result", mode="before")(_sign)


class IdentificationDetails(_Details):
    """同定: M. tuberculosis complex or a non-tuberculous mycobacterium."""

    organism: Literal["結核菌群", "非結核性抗酸菌"]
    species: str = Field(default="", max_length=100)


class DstDetails(_Details):
    """薬剤感受性: S / R / 未実施 per drug."""

    results: dict[str, Literal["S", "R", "未実施"]]

    # the drugs are checked by the service against the コード表 (code_list) of the collection date

    @property
    def mdr(self) -> bool:
        """多剤耐性: resistant to both INH and RFP."""
        return self.results.get("INH") == "R" and self.results.get("RFP") == "R"


class IgraDetails(_Details):
    """IGRA (QFT / T-SPOT)."""

    test: Literal["QFT", "T-SPOT"]
    value: str = Field(default="", max_length=20)
    judgement: Literal["陽性", "陰性", "判定保留", "判定不可"]


class TstDetails(_Details):
    """ツベルクリン反応: induration and erythema in mm, and the judgement."""

    induration_mm: int | None = Field(default=None, ge=0, le=100)
    erythema_mm: int | None = Field(default=None, ge=0, le=100)
    judgement: Literal["陰性", "陽性", "弱陽性", "中等度陽性", "強陽性"]


DETAILS: dict[Kind, type[_Details]] = {
    Kind.SMEAR: SmearDetails,
    Kind.CULTURE: CultureDetails,
    Kind.NAAT: NaatDetails,
    Kind.IDENTIFICATION: IdentificationDetails,
    Kind.DST: DstDetails,
    Kind.IGRA: IgraDetails,
    Kind.TST: TstDetails,
}


def summary(kind: str, details: dict[str, object]) -> str:
    """The result in one line, e.g. 2+（G5）, 陽性（液体）, 耐性: INH, RFP."""
    d = details
    if kind == Kind.SMEAR:
        grade, gaffky = d.get("grade"), d.get("gaffky")
        return f"{grade}（{gaffky}）" if grade and gaffky else str(grade or gaffky or "")
    if kind == Kind.CULTURE:
        colony = f" {d['colony_grade']}" if d.get("colony_grade") else ""
        return f"{d.get('result')}{colony}（{d.get('medium')}）"
    if kind == Kind.NAAT:
        return f"{d.get('method')} {d.get('result')}"
    if kind == Kind.IDENTIFICATION:
        return " ".join(str(v) for v in (d.get("organism"), d.get("species")) if v)
    if kind == Kind.DST:
        results = dict(d.get("results") or {})  # type: ignore[call-overload]
        resistant = [drug for drug, r in results.items() if r == "R"]
        return f"耐性: {', '.join(resistant)}" if resistant else "耐性なし"
    if kind == Kind.IGRA:
        return " ".join(str(v) for v in (d.get("test"), d.get("value"), d.get("judgement")) if v)
    mm = f"硬結{d['induration_mm']}mm " if d.get("induration_mm") is not None else ""
    return f"{mm}{d.get('judgement')}"
