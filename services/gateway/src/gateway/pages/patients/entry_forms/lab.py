"""菌検査 forms (R04): the items of each kind of test, and how they become the API's `details`.

The items of a kind are named `<kind>.<item>` (`naat.result`, `dst.results.INH`), so the add form can hold every
kind's items at once and the API's `details.<item>` messages land beside the right input. Specimens and drugs come
from the patients service's code lists; the grades and judgements below are the API's own fixed values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gateway.forms import DATE_HINT, EntryForm, Field, every_code


def _same(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) for v in values)


LAB_KINDS = (
    ("smear", "塗抹"),
    ("culture", "培養"),
    ("naat", "核酸増幅法（PCR・LAMP）"),
    ("identification", "同定"),
    ("dst", "薬剤感受性"),
    ("igra", "IGRA"),
    ("tst", "ツベルクリン反応"),
)
SPECIMEN_SET = "specimen_set"  # smear, culture and NAAT of one specimen, entered at once
SET_KINDS = ("smear", "culture", "naat")
NEW_KINDS = ((SPECIMEN_SET, "塗抹・培養・核酸増幅（まとめて入力）"), *LAB_KINDS)
SET_EMPTY = "塗抹・培養・核酸増幅法のうち、少なくとも一つの結果を入力してください。"
DST_CHOICES = _same("S", "R", "未実施")
BACTERIOLOGY_CHOICES = {  # record #1 (登録時) as the 登録票 summarises it
    "smear": _same("−", "±", "1+", "2+", "3+"),
    "culture": _same("陽性", "陰性", "培養中", "未実施"),
    "naat": (("+", "陽性（+）"), ("−", "陰性（−）"), ("検査中", "検査中"), ("未実施", "未実施")),
    "identification": _same("結核菌群", "非結核性抗酸菌"),
}
DETAILS: dict[str, tuple[Field, ...]] = {
    "smear": (
        Field("smear.grade", "塗抹の判定", kind="select", choices=BACTERIOLOGY_CHOICES["smear"]),
        Field("smear.gaffky", "ガフキー号数（旧記録）", hint="例: G5（判定とどちらか一方でも可）"),
    ),
    "culture": (
        Field("culture.medium", "培地", kind="select", choices=_same("液体", "小川")),
        Field("culture.result", "培養の結果", kind="select", choices=_same("陰性", "陽性", "培養中", "汚染")),
        Field("culture.colony_grade", "菌量", hint="例: 2+、コロニー数"),
    ),
    "naat": (
        Field("naat.method", "核酸増幅法の方法", kind="radio", choices=_same("PCR", "LAMP")),
        Field("naat.result", "核酸増幅法の結果", kind="select", choices=BACTERIOLOGY_CHOICES["naat"][:3]),
    ),
    "identification": (
        Field("identification.organism", "同定の結果", kind="radio", choices=BACTERIOLOGY_CHOICES["identification"]),
        Field("identification.species", "菌種", hint="例: M. avium、M. intracellulare"),
    ),
    "igra": (
        Field("igra.test", "IGRAの検査", kind="radio", choices=_same("QFT", "T-SPOT")),
        Field("igra.value", "IGRAの測定値", hint="例: 0.35（QFT: IU/mL）、8（T-SPOT: スポット数）"),
        Field("igra.judgement", "IGRAの判定", kind="select", choices=_same("陽性", "陰性", "判定保留", "判定不可")),
    ),
    "tst": (
        Field("tst.induration_mm", "硬結の長径（mm）", kind="number"),
        Field("tst.erythema_mm", "発赤の長径（mm）", kind="number"),
        Field(
            "tst.judgement",
            "ツ反の判定",
            kind="select",
            choices=_same("陰性", "弱陽性", "中等度陽性", "強陽性", "陽性"),
        ),
    ),
}
COMMON = (
    Field("specimen", "検体", kind="select", codes="specimen"),
    Field("collected_on", "採取日", required=True, hint=DATE_HINT, kind="date"),
    Field("result_on", "結果日", hint=DATE_HINT, kind="date"),
    Field("laboratory", "検査機関"),
)


def lab_kinds(codes: Mapping[str, Mapping[str, str]], *, ended: bool = False) -> dict[str, str]:
    """{kind: label} of the 検査種別 this page has items for, labelled and ordered as masters' コード表 holds them
    (those in force today, the ended ones too when `ended`: how stored results read); the built-in ones while
    patients answers no list."""
    listed = every_code(codes, "exam_kind") if ended else dict(codes.get("exam_kind", {}))
    if not listed and "exam_kind" not in codes:
        return dict(LAB_KINDS)
    known = dict(LAB_KINDS)
    return {kind: label for kind, label in listed.items() if kind in known}


def kind_field(codes: Mapping[str, Mapping[str, str]]) -> Field:
    """検査種別 of a new result: the specimen set (while 塗抹・培養・核酸増幅 are offered), then each kind in force."""
    kinds = lab_kinds(codes)
    choices = (*(NEW_KINDS[:1] if all(k in kinds for k in SET_KINDS) else ()), *kinds.items())
    return Field("kind", "検査種別", required=True, kind="select", choices=tuple(choices))


def detail_fields(kind: str, codes: Mapping[str, Mapping[str, str]], *, ended: bool = False) -> tuple[Field, ...]:
    """The items of one kind of test (DST: one choice per drug of the code list, with the ended ones too when
    `ended`, for a correction of a result that may hold them)."""
    if kind == "dst":
        drugs = every_code(codes, "drug") if ended else codes.get("drug", {})
        return tuple(
            Field(f"dst.results.{drug}", label, kind="select", choices=DST_CHOICES, blank="omit")
            for drug, label in drugs.items()
        )
    return DETAILS.get(kind, ())


def new_lab_fields(codes: Mapping[str, Mapping[str, str]], custom: Sequence[Field]) -> tuple[Field, ...]:
    """The add form: kind, specimen and dates, every kind's items, and the configurable fields."""
    details = [f for kind, _ in LAB_KINDS for f in detail_fields(kind, codes)]
    return tuple(f.bound("lab-new") for f in (kind_field(codes), *COMMON, *details, *custom))


def correction_fields(kind: str, result_id: str, codes: Mapping[str, Any], custom: Sequence[Field]) -> tuple:
    """The correction form of one result: its kind stays, everything else can change."""
    details = detail_fields(kind, codes, ended=True)
    fields = (*COMMON, *details, *custom, Field("reason", "修正理由", kind="text-wide"))
    return tuple(f.bound(f"lab-{result_id}") for f in fields)


def filled_correction(result: Mapping[str, Any], fields: tuple[Field, ...]) -> EntryForm:
    """A result's correction form showing what is stored."""
    record = {**result, str(result.get("kind")): result.get("details") or {}}
    return EntryForm.filled(fields, record, result.get("version"))


def lab_body(form: EntryForm, kind: str) -> dict[str, Any]:
    """The JSON of a result: the common items, `details` of its kind (blanks left out) and configurable fields."""
    typed = form.json(skip=("reason", "kind"))
    body = {name: typed[name] for name in ("specimen", "collected_on", "result_on", "laboratory") if name in typed}
    details = typed.get(kind) or {}
    if kind == "dst":
        body["details"] = {"results": details.get("results", {})}
    else:
        body["details"] = {name: value for name, value in details.items() if value is not None}
    if "custom" in typed:
        body["custom"] = typed["custom"]
    return body


def set_bodies(form: EntryForm) -> list[tuple[str, dict[str, Any]]]:
    """The results of one specimen entered at once: one per kind (塗抹, 培養, 核酸増幅法) with any item filled,
    each with the specimen, dates and laboratory typed once."""
    bodies = []
    for kind in SET_KINDS:
        body = lab_body(form, kind)
        body["details"] = {name: value for name, value in body["details"].items() if value != ""}
        if body["details"]:  # a kind left blank is not a result
            bodies.append((kind, {"kind": kind, **body}))
    return bodies


def set_aliases(kinds: Sequence[str]) -> dict[str, str]:
    """API message keys of a batch → field names: `results.1.details.result` of a culture is `culture.result`."""
    aliases: dict[str, str] = {}
    for index, kind in enumerate(kinds):
        prefix = f"results.{index}."
        aliases |= {prefix + key: name for key, name in lab_aliases(kind).items()}
        aliases |= {prefix + name: name for name in ("specimen", "collected_on", "result_on", "laboratory")}
        aliases[f"results.{index}"] = kind
    return aliases


def lab_aliases(kind: str) -> dict[str, str]:
    """API message keys → field names: `details.result` of a NAAT is `naat.result`."""
    aliases = {f"details.{f.name.split('.', 1)[1]}": f.name for f in DETAILS.get(kind, ())}
    return aliases | {"details": kind, "details.results": "dst.results"}
