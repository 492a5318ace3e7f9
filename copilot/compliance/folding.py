"""Fold text so disguised spellings read like the plain ones, keeping each character's origin.

One character becomes at most one character: NFKC (full-width, circled, styled and squared
letters), lower case, Traditional to Simplified, Unicode's confusables (Cyrillic, Greek and other
look-alikes of Latin letters and digits), tone marks stripped (wēi → wei), plus signs read as 加,
Chinese numerals as digits; separators, punctuation, symbols and emoji are dropped. So 加 V 信,
微_信, 𝐯𝐱, вх and ➕v fold like 加v信, 微信, vx, vx and 加v.
"""

import json
import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import opencc

# Chinese and financial numerals fold to digits; 十 and larger stay (they are not one digit)
NUMERALS = ("〇零", "一壹幺", "二贰貳", "三叁參", "四肆", "五伍", "六陆陸", "七柒", "八捌", "九玖")
# financial spellings of 十 and 百 (假壹赔拾 is 假一赔十)
FINANCIAL = {"拾": "十", "佰": "百", "仟": "千"}
# lower-case Greek and Cyrillic letters that pass for Latin ones in chat text although
# Unicode's confusables.txt (which pairs shapes, not reading habits) does not list them
EXTRA_LOOKALIKES = dict(zip("χτκηιρυωεктмнпгшвь", "xtknipuwektmhnrwbb", strict=True))
# plus signs stand for 加 (➕V = 加V); they are dropped as symbols otherwise
PLUS_SIGNS = "+＋﹢➕✚✙✛✜⊕"
_KEPT_RUN = re.compile(r"[^\W_]+")  # letters and digits of any script; the rest is separators
# astral blocks whose letters are disguises: mathematical alphanumerics, enclosed alphanumerics
_ASTRAL_LETTERS = (range(0x1D400, 0x1D800), range(0x1F100, 0x1F200), range(0x1FBF0, 0x1FBFA))
# letters NFKC keeps as symbols: negative circled/squared capitals and regional indicators
_LETTER_RUNS = ((0x1F150, 26), (0x1F170, 26), (0x1F1E6, 26))


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


@cache
def _traditional_to_simplified() -> dict[str, str]:
    t2s: dict[str, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        candidate = simplified.split(" ")[0] if simplified else ""
        if len(traditional) == 1 and len(candidate) == 1:
            t2s[traditional] = candidate
    return t2s


def _confusables() -> dict[str, str]:
    """Non-Latin look-alikes of ASCII letters and digits (Unicode's confusables.txt), to ASCII.

    A character that looks like both a digit and a letter folds to the letter.
    """
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    table: dict[str, str] = {}
    for target in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for entry in data.get(target, ()):
            source = entry["c"]
            if len(source) == 1 and not source.isascii() and not _is_cjk(source):
                table[source] = target.lower()
    return table


def _without_tone(char: str) -> str:
    """ā á ǎ à ü → a a a a u: a Latin letter with only combining marks folds to the letter."""
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
        if all(unicodedata.combining(mark) for mark in decomposed[1:]):
            return decomposed[0].lower()
    return char


@cache
def fold_table() -> dict[int, str]:
    """One character to one character; built once (~50 ms), str.translate then runs at C speed."""
    t2s = _traditional_to_simplified()
    confusables = _confusables()
    table: dict[int, str] = {}
    codes = [c for c in range(0x20, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    for code in [*codes, *(c for block in _ASTRAL_LETTERS for c in block)]:
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and not folded.isascii() and not _is_cjk(folded):
            folded = confusables.get(folded) or confusables.get(folded.lower()) or folded
        folded = folded.lower()
        folded = t2s.get(folded, folded) if len(folded) == 1 else char.lower()
        if len(folded) == 1 and not folded.isascii():
            folded = _without_tone(folded)
        if len(folded) == 1 and folded != char:
            table[code] = folded
    for start, count in _LETTER_RUNS:
        for offset in range(count):
            table[start + offset] = chr(ord("a") + offset)
    for traditional, simplified in t2s.items():
        table.setdefault(ord(traditional), simplified)
    for letter, latin in EXTRA_LOOKALIKES.items():
        table[ord(letter)] = latin
        table.setdefault(ord(letter.upper()), latin)
    for financial, plain in FINANCIAL.items():
        table[ord(financial)] = plain
    for digit, numerals in enumerate(NUMERALS):  # 假1赔十 is 假一赔十
        for numeral in numerals:
            table[ord(numeral)] = str(digit)
    for plus in PLUS_SIGNS:
        table[ord(plus)] = "加"
    return table


@cache
def _kept_bmp() -> np.ndarray:
    """For every code point below 0x10000, whether folding keeps it (a letter or digit)."""
    everything = "".join(chr(c) if not 0xD800 <= c <= 0xDFFF else " " for c in range(0x10000))
    kept = np.zeros(0x10000, dtype=bool)
    for match in _KEPT_RUN.finditer(everything):
        kept[match.start() : match.end()] = True
    return kept


def fold(text: str) -> tuple[str, np.ndarray]:
    """Folded text and, for each folded character, its index in the original text."""
    mapped = text.translate(fold_table())  # same length as text: one char for one char
    codes = np.frombuffer(mapped.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    keep = _kept_bmp()[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)  # emoji and rare ideographs: decide one by one
    if astral.size:
        keep[astral] = [bool(_KEPT_RUN.fullmatch(mapped[i])) for i in astral]
    origin = np.flatnonzero(keep)
    folded = codes[origin].tobytes().decode("utf-32-le", "surrogatepass")
    return folded, origin


def fold_char(char: str) -> str:
    """One character as folding reads it (may be a separator)."""
    return char.translate(fold_table())
