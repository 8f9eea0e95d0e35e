"""外字: characters of a name that a form's font, a CP932 CSV or a NESID file cannot carry (N11, N26).

Stored names keep the exact characters registered (住基 is the source of truth); this module only says which
characters each output cannot carry and what it will show instead, so that the input form can warn and show it.
A health center chooses a policy: accept with a warning, refuse such names, or map each character to a registered
substitute (代替文字) that outputs use and screens show beside the original. Without a substitute an output shows
〓 (the geta mark JIS uses for a character it cannot print).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "GETA",
    "OUTPUTS",
    "CharReport",
    "GaijiMode",
    "GaijiPolicy",
    "Output",
    "carried_as",
    "check_text",
    "collapse_spaces",
    "fold_gaiji",
    "gaiji_code",
    "is_private_use",
    "load_policy",
    "not_carried",
    "output_text",
    "registered_substitutes",
]

GETA = "〓"
_SPACE_RUN = re.compile("[ \u3000]{2,}")
_PLAIN_FORM = "常用の字形で入力してください。"


@dataclass(frozen=True)
class Output:
    """Where a name goes: the encodings whose characters it can carry (any one of them suffices)."""

    key: str
    label: str
    encodings: tuple[str, ...]


# 帳票: the PDF fonts carry JIS X 0213 (and the CP932 vendor characters); CSV for Excel is CP932; NESID files are
# taken to hold JIS X 0208 only (unconfirmed: the NESID 仕様 is not at hand, so the strictest set is assumed).
OUTPUTS: tuple[Output, ...] = (
    Output("print", "帳票（印刷）", ("shift_jis_2004", "cp932")),
    Output("csv", "CSV出力（Excel用・CP932）", ("cp932",)),
    Output("nesid", "NESID（感染症サーベイランスシステム）", ("shift_jis",)),
)


class GaijiMode(StrEnum):
    """What the health center does with a character an output cannot carry."""

    WARN = "warn"  # accept the name, warn and show what each output will show
    REFUSE = "refuse"  # refuse the name until it is written with characters every output carries
    SUBSTITUTE = "substitute"  # accept, and outputs use the registered substitute (shown beside the original)


@dataclass(frozen=True)
class GaijiPolicy:
    """The health center's 外字 policy and its registered substitutes ({character: substitute})."""

    mode: GaijiMode = GaijiMode.WARN
    substitutes: Mapping[str, str] = field(default_factory=dict)


@cache
def _substitutes_of(path: str) -> dict[str, str]:
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}


def load_policy(mode: str, substitutes_file: str = "", registered: Mapping[str, str] | None = None) -> GaijiPolicy:
    """The policy a service's settings name: a mode and a JSON file {"character": "substitute"} (read once), with
    the 外字 master's registered substitutes laid over the file's."""
    return GaijiPolicy(GaijiMode(mode), {**_substitutes_of(substitutes_file), **(registered or {})})


@dataclass(frozen=True)
class CharReport:
    """What a text becomes in each output, and the characters that made it differ."""

    original: str
    missing: tuple[str, ...]  # characters some output cannot carry, in order of appearance, once each
    shown_as: Mapping[str, str]  # output key → the text that output will carry
    unregistered: tuple[str, ...]  # missing characters without a registered substitute
    refused: bool
    message: str

    @property
    def ok(self) -> bool:
        """True when every output carries the text as typed."""
        return not self.missing


def collapse_spaces(text: str) -> str:
    """Runs of spaces (half- or full-width) become the first of them; ends are trimmed."""
    return _SPACE_RUN.sub(lambda run: run.group()[0], text.strip())


def is_private_use(char: str) -> bool:
    """True for a private-use code point (a vendor's or a city's own 外字): no other computer shows it the same."""
    return unicodedata.category(char) == "Co"


def gaiji_code(char: str) -> str:
    """The code of a 外字 in the 外字 master: `U+` and its code point (U+20BB7)."""
    return f"U+{ord(char):04X}"


def registered_substitutes(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """{外字: 代替文字} from the 外字 master's records (`data.character`, `data.substitute`) as masters lists them."""
    found: dict[str, str] = {}
    for record in records:
        data = record.get("data") or {}
        character, substitute = str(data.get("character") or ""), str(data.get("substitute") or "")
        if len(character) == 1 and substitute:
            found[character] = substitute
    return found


def fold_gaiji(text: str, substitutes: Mapping[str, str]) -> str:
    """The text with each registered 外字 as its substitute: what search compares, so 吉田 finds 𠮷田."""
    return "".join(substitutes.get(char, char) for char in text) if substitutes else text


def _carries(char: str, output: Output) -> bool:
    if is_private_use(char):  # CP932 has a user-defined area, but what it holds differs from PC to PC
        return False
    for encoding in output.encodings:
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            continue
        return True
    return False


def not_carried(text: str, output: Output) -> list[str]:
    """The characters of `text` this output cannot carry, once each, in order."""
    seen: list[str] = []
    for char in text:
        if char not in seen and not _carries(char, output):
            seen.append(char)
    return seen


def carried_as(text: str, output: Output, substitutes: Mapping[str, str] | None = None) -> str:
    """The text as this output will carry it: a registered substitute, else 〓, for each character it cannot."""
    substitutes = substitutes or {}
    out: list[str] = []
    for char in text:
        substitute = substitutes.get(char, GETA)
        out.append(char if _carries(char, output) else substitute if _carries_all(substitute, output) else GETA)
    return "".join(out)


def output_text(text: str, key: str, policy: GaijiPolicy | None = None) -> str:
    """The text as the output `key` ("print", "csv", "nesid") writes it under the policy: characters it carries
    unchanged; any other the registered substitute when the policy substitutes, else 〓."""
    policy = policy or GaijiPolicy()
    output = next(o for o in OUTPUTS if o.key == key)
    substitutes = policy.substitutes if policy.mode is GaijiMode.SUBSTITUTE else {}
    return text if _carries_all(text, output) else carried_as(text, output, substitutes)


def _carries_all(text: str, output: Output) -> bool:
    if any(is_private_use(char) for char in text):
        return all(_carries(char, output) for char in text)
    for encoding in output.encodings:  # the whole text at once first: almost every text is carried as it is
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            continue
        return True
    return all(_carries(char, output) for char in text)


def check_text(text: str, policy: GaijiPolicy | None = None) -> CharReport:
    """What every output makes of a text under the policy, with the message the input form shows."""
    policy = policy or GaijiPolicy()
    missing: list[str] = []
    for output in OUTPUTS:
        missing += [c for c in not_carried(text, output) if c not in missing]
    substitutes = policy.substitutes if policy.mode is GaijiMode.SUBSTITUTE else {}
    shown_as = {output.key: carried_as(text, output, substitutes) for output in OUTPUTS}
    unregistered = tuple(c for c in missing if c not in policy.substitutes)
    refused = bool(missing) and (
        policy.mode is GaijiMode.REFUSE or (policy.mode is GaijiMode.SUBSTITUTE and bool(unregistered))
    )
    return CharReport(text, tuple(missing), shown_as, unregistered, refused, _message(missing, unregistered, policy))


def _message(missing: list[str], unregistered: tuple[str, ...], policy: GaijiPolicy) -> str:
    if not missing:
        return ""
    return _plain_message(missing, unregistered, policy) + _private_use_note(unregistered)


def _private_use_note(unregistered: tuple[str, ...]) -> str:
    private = [c for c in unregistered if is_private_use(c)]
    if not private:
        return ""
    chars = "、".join(f"U+{ord(c):04X}" for c in private)
    return f"（{chars}は私用領域の文字で、外字マスタに登録されていません。ほかの端末や出力では別の文字になります。）"


def _plain_message(missing: list[str], unregistered: tuple[str, ...], policy: GaijiPolicy) -> str:
    chars = "、".join(f"「{c}」（U+{ord(c):04X}）" for c in missing)
    if policy.mode is GaijiMode.REFUSE:
        return f"{chars}は帳票・CSV・NESIDで扱えない文字（外字）です。この保健所では登録できません。" + _PLAIN_FORM
    if policy.mode is GaijiMode.SUBSTITUTE and unregistered:
        names = "、".join(f"「{c}」" for c in unregistered)
        return f"{names}は外字で、代替文字が登録されていません。管理者に代替文字の登録を依頼するか、" + _PLAIN_FORM
    if policy.mode is GaijiMode.SUBSTITUTE:
        return f"{chars}は外字です。登録した代替文字で帳票・CSV・NESIDに出力します（画面には元の文字も表示します）。"
    return f"{chars}は一部の出力で扱えない文字（外字）です。登録はできますが、出力では下の表記になります。"
