"""The sections of the registration card (結核登録票) kept as validated JSON: notification, disease, clinical.

Each section is a pydantic model; the stored JSON is `model_dump(mode="json")`, so a change inside a section is
recorded in the edit history under its dotted name (`disease.gakkai_type`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from tbms_contracts.card_codes import EXTRAPULMONARY_SITES
from tbms_core.clock import today
from tbms_core.jp.fields import OptionalDate, Text


class NotificationType(StrEnum):
    """発生届の類型."""

    CONFIRMED = "confirmed"  # 患者（確定例）
    ASYMPTOMATIC = "asymptomatic"  # 無症状病原体保有者
    SUSPECTED = "suspected"  # 疑似症患者
    DEATH = "death"  # 感染症死亡者の死体
    SUSPECTED_DEATH = "suspected_death"  # 感染症死亡疑い者の死体


class DiseaseForm(StrEnum):
    """病類: pulmonary, extrapulmonary, both, or latent infection."""

    PULMONARY = "pulmonary"  # 肺結核
    EXTRAPULMONARY = "extrapulmonary"  # 肺外結核
    BOTH = "both"  # 肺結核＋肺外結核
    LTBI = "ltbi"  # 潜在性結核感染症


class GakkaiSide(StrEnum):
    """学会分類の病側."""

    RIGHT = "r"
    LEFT = "l"
    BOTH = "b"


class GakkaiType(StrEnum):
    """学会分類の病型 (0, I–V and the special codes H, Pl, Op)."""

    NONE = "0"
    I = "I"  # noqa: E741 - the classification's own numeral
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    H = "H"
    PL = "Pl"
    OP = "Op"


class PriorTreatment(StrEnum):
    """治療歴."""

    INITIAL = "initial"  # 初回治療
    RETREATMENT = "retreatment"  # 再治療
    UNKNOWN = "unknown"  # 不明


SYMPTOMS = {
    "cough": "せき",
    "sputum": "たん",
    "fever": "発熱",
    "chest_pain": "胸痛",
    "dyspnoea": "呼吸困難",
    "haemoptysis": "血痰・喀血",
    "weight_loss": "体重減少",
    "night_sweats": "寝汗",
    "fatigue": "倦怠感",
    "other": "その他",
    "none": "なし",
}
RISK_FACTORS = {
    "diabetes": "糖尿病",
    "hiv": "HIV感染",
    "dialysis": "人工透析",
    "steroids": "副腎皮質ステロイド",
    "immunosuppressants": "免疫抑制剤・生物学的製剤",
    "pneumoconiosis": "じん肺",
    "malignancy": "悪性腫瘍",
    "gastrectomy": "胃切除",
    "alcohol": "アルコール依存",
    "smoking": "喫煙",
    "other": "その他",
}
NOTIFICATION_TYPES = {
    "confirmed": "患者（確定例）",
    "asymptomatic": "無症状病原体保有者",
    "suspected": "疑似症患者",
    "death": "感染症死亡者の死体",
    "suspected_death": "感染症死亡疑い者の死体",
}
PRIOR_TREATMENTS = {"initial": "初回治療", "retreatment": "再治療", "unknown": "不明"}
GAKKAI_SIDES = {"r": "右側（r）", "l": "左側（l）", "b": "両側（b）"}
GAKKAI_TYPES = {
    "0": "0 病変なし",
    "I": "I 広汎空洞型",
    "II": "II 非広汎空洞型",
    "III": "III 不安定非空洞型",
    "IV": "IV 安定非空洞型",
    "V": "V 治癒型",
    "H": "H 肺門リンパ節腫脹",
    "Pl": "Pl 滲出性胸膜炎",
    "Op": "Op 手術のあと",
}


def _codes(allowed: dict[str, str], what: str, values: list[str]) -> list[str]:
    """Known codes only, each once, in the list's own order."""
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValueError(f"{what}に選べない値があります: {'、'.join(unknown)}")
    return sorted(set(values), key=list(allowed).index)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def stored(self) -> dict[str, Any]:
        """The JSON kept in the patient row."""
        return self.model_dump(mode="json")


class Notification(_Section):
    """発生届: when and by whom the patient was notified (法12条)."""

    notified_on: OptionalDate = None  # 届出日
    received_on: OptionalDate = None  # 受理日
    type: NotificationType | None = None  # 類型
    doctor_name: Text = Field(default="", max_length=100)  # 届出医師
    doctor_code: Text = Field(default="", max_length=20)  # 医師マスタのコード（候補から選んだとき）
    institution_name: Text = Field(default="", max_length=200)  # 医療機関
    institution_address: Text = Field(default="", max_length=300)
    institution_phone: Text = Field(default="", max_length=20)
    institution_code: Text = Field(default="", max_length=20)  # 医療機関マスタのコード（マスタ整備後）

    @model_validator(mode="after")
    def _received_after_notified(self) -> Notification:
        if self.notified_on and self.received_on and self.received_on < self.notified_on:
            raise ValueError("受理日が届出日より前になっています。")
        return self


class Disease(_Section):
    """病名・病状: the disease form, sites, 学会分類 and the dates of onset, first visit and diagnosis."""

    form: DiseaseForm | None = None
    extrapulmonary_sites: list[str] = []
    site_note: Text = Field(default="", max_length=200)
    gakkai_side: GakkaiSide | None = None
    gakkai_type: GakkaiType | None = None
    gakkai_extent: int | None = Field(default=None, ge=1, le=3)
    imaging_note: Text = Field(default="", max_length=500)
    symptoms: list[str] = []
    onset_on: OptionalDate = None  # 発病日
    first_visit_on: OptionalDate = None  # 初診日
    diagnosed_on: OptionalDate = None  # 診断日

    @field_validator("extrapulmonary_sites")
    @classmethod
    def _sites(cls, values: list[str]) -> list[str]:
        return _codes(EXTRAPULMONARY_SITES, "部位", values)

    @field_validator("symptoms")
    @classmethod
    def _symptoms(cls, values: list[str]) -> list[str]:
        return _codes(SYMPTOMS, "症状", values)

    @model_validator(mode="after")
    def _consistent(self) -> Disease:
        if self.form == DiseaseForm.PULMONARY and self.extrapulmonary_sites:
            raise ValueError("肺結核のみの場合、肺外の部位は選べません。")
        if "none" in self.symptoms and len(self.symptoms) > 1:
            raise ValueError("症状「なし」と他の症状は同時に選べません。")
        if self.gakkai_type in (GakkaiType.NONE, GakkaiType.H, GakkaiType.PL, GakkaiType.OP) and self.gakkai_extent:
            raise ValueError("病型0・H・Pl・Opには拡がりを付けません。")
        dates = [self.onset_on, self.first_visit_on, self.diagnosed_on]
        known = [d for d in dates if d]
        if any(d > today() for d in known):
            raise ValueError("発病日・初診日・診断日に未来の日付は入力できません。")
        if self.first_visit_on and self.diagnosed_on and self.diagnosed_on < self.first_visit_on:
            raise ValueError("診断日が初診日より前になっています。")
        return self

    @property
    def gakkai(self) -> str:
        """The 学会分類 as written on forms, e.g. bII2."""
        parts = [self.gakkai_side or "", self.gakkai_type or "", str(self.gakkai_extent or "")]
        return "".join(str(part) for part in parts)


class Clinical(_Section):
    """治療歴・合併症: prior treatment and the risk factors the registry counts."""

    prior_treatment: PriorTreatment | None = None
    prior_treatment_note: Text = Field(default="", max_length=300)
    risk_factors: list[str] = []
    comorbidity_note: Text = Field(default="", max_length=500)

    @field_validator("risk_factors")
    @classmethod
    def _risks(cls, values: list[str]) -> list[str]:
        return _codes(RISK_FACTORS, "合併症", values)


class Guardian(_Section):
    """保護者 of a minor (施行規則27条の8: name and address)."""

    name: Text = Field(default="", max_length=100)
    relation: Text = Field(default="", max_length=30)
    address: Text = Field(default="", max_length=300)
    phone: Text = Field(default="", max_length=20)


SECTIONS: dict[str, type[_Section]] = {
    "notification": Notification,
    "disease": Disease,
    "clinical": Clinical,
    "guardian": Guardian,
}


def gakkai_of(disease: dict[str, Any]) -> str:
    """The 学会分類 string of a stored disease section."""
    return Disease.model_validate(disease).gakkai if disease else ""
