"""Japanese text: normalise what staff type, and fold names into search keys (N11).

Stored names keep the exact characters registered (住基 is the source of truth). Nothing here applies a
Unicode normalisation form to stored text, not even NFC: CJK compatibility ideographs such as 隆
(U+F9DC) have canonical decompositions, so NFC alone would rewrite a registered name.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "VARIANT_FOLDING",
    "digits_only",
    "is_kana_reading",
    "normalize_input",
    "search_key",
    "to_katakana",
]

_HALFWIDTH_KANA_FIRST, _HALFWIDTH_KANA_LAST = "\uff61", "\uff9f"
_HALFWIDTH_VOICED, _HALFWIDTH_SEMI_VOICED = "\uff9e", "\uff9f"
# A mark that cannot combine with the preceding character becomes the spacing ゛/゜, never a
# stray combining character that would attach to whatever comes before it on screen.
_COMBINING_MARK = {_HALFWIDTH_VOICED: "\u3099", _HALFWIDTH_SEMI_VOICED: "\u309a"}
_SPACING_MARK = {_HALFWIDTH_VOICED: "\u309b", _HALFWIDTH_SEMI_VOICED: "\u309c"}

_FULLWIDTH_ALNUM = str.maketrans(
    {
        chr(code): chr(code - 0xFEE0)
        for first, last in (("０", "９"), ("Ａ", "Ｚ"), ("ａ", "ｚ"))
        for code in range(ord(first), ord(last) + 1)
    }
)
_SPACE_RUN = re.compile("[ \u3000]{2,}")

# ぁ..ゖ ↔ ァ..ヶ are one fixed offset apart; ゝゞ ↔ ヽヾ are the iteration marks.
_HIRAGANA_TO_KATAKANA = str.maketrans(
    {chr(code): chr(code + 0x60) for code in range(ord("ぁ"), ord("ゖ") + 1)} | {"ゝ": "ヽ", "ゞ": "ヾ"}
)
_KATAKANA_TO_HIRAGANA = str.maketrans(
    {chr(code): chr(code - 0x60) for code in range(ord("ァ"), ord("ヶ") + 1)} | {"ヽ": "ゝ", "ヾ": "ゞ"}
)
_KANA_READING = re.compile("[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe \u3000]+")

# 異体字 → common form, for search keys only. The pairs follow the 常用漢字表 (平成22年内閣告示第2号),
# whose brackets give the 康熙字典体 of each character, and the 文字同定 that 住基/戸籍 systems do when
# they degenerate MJ characters to JIS X 0208 forms (MJ縮退マップ, 文字情報基盤). Keys are characters NFKC
# leaves alone: true compatibility ideographs (隆 U+F9DC, 塚 U+FA10) already reach their unified form
# through NFKC. 﨑 (U+FA11) sits in the compatibility block but is a unified ideograph without a
# decomposition, so NFKC keeps it and it must be listed here.
VARIANT_FOLDING: dict[str, str] = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "𥔎": "崎",  # たつさき (U+2550E)
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斎",
    "濱": "浜",
    "澤": "沢",
    "櫻": "桜",
    "廣": "広",
    "國": "国",
    "德": "徳",
    "瀨": "瀬",
    "𠮷": "吉",  # つちよし (U+20BB7)
    "槇": "槙",
    "眞": "真",
    "惠": "恵",
    "榮": "栄",
    "藏": "蔵",
    "實": "実",
    "壽": "寿",
    "豐": "豊",
    "淺": "浅",
    "關": "関",
    "黑": "黒",
    "龍": "竜",
}
_VARIANT_TRANSLATION = str.maketrans(VARIANT_FOLDING)

# Japanese IMEs turn "-" into ー or a dash; between digits (phone numbers, 番地) it is a hyphen.
_HYPHEN_BETWEEN_DIGITS = re.compile("(?<=[0-9])[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc](?=[0-9])")
_WHITESPACE = re.compile(r"\s+")


def normalize_input(value: str) -> str:
    """Cleans typed text as a form should: full-width kana, half-width letters and digits, tidy spaces."""
    widened = _widen_halfwidth_kana(value).translate(_FULLWIDTH_ALNUM)
    return _SPACE_RUN.sub(lambda run: run.group()[0], widened.strip())


def _widen_halfwidth_kana(value: str) -> str:
    """Turns half-width katakana (and its separate ﾞ/ﾟ marks) into full-width, leaving all else."""
    out: list[str] = []
    for char in value:
        if not _HALFWIDTH_KANA_FIRST <= char <= _HALFWIDTH_KANA_LAST:
            out.append(char)
        elif char in _COMBINING_MARK:
            voiced = unicodedata.normalize("NFC", out[-1] + _COMBINING_MARK[char]) if out else ""
            if len(voiced) == 1:
                out[-1] = voiced
            else:
                out.append(_SPACING_MARK[char])
        else:
            out.append(unicodedata.normalize("NFKC", char))
    return "".join(out)


def to_katakana(reading: str) -> str:
    """Accepts a reading typed in hiragana or half-width kana and returns it in full-width katakana."""
    return normalize_input(reading).translate(_HIRAGANA_TO_KATAKANA)


def is_kana_reading(value: str) -> bool:
    """Tells whether a カナ field holds only full-width katakana, ー, ・ and spaces (and is not blank)."""
    return bool(value.strip()) and _KANA_READING.fullmatch(value) is not None


def search_key(value: str) -> str:
    """Folds text into the key that search compares, so width, case, kana and 異体字 do not matter."""
    folded = unicodedata.normalize("NFKC", value).lower()
    folded = folded.translate(_KATAKANA_TO_HIRAGANA).translate(_VARIANT_TRANSLATION)
    # In カナ readings of foreign names ・ and a space both separate the parts of the name.
    folded = _WHITESPACE.sub("", folded).replace("・", "")
    return _HYPHEN_BETWEEN_DIGITS.sub("-", folded)


def digits_only(value: str) -> str:
    """Keeps only the digits (full-width ones made half-width), e.g. to compare phone numbers."""
    return "".join(char for char in value.translate(_FULLWIDTH_ALNUM) if "0" <= char <= "9")
