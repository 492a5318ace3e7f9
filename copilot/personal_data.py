"""Personal data in any text: found for flags, masked for logs, storage, reports and prompts.

One module for all of them. Customers write numbers every way: 138 1234 5678, 138-1234-5678,
138.1234.5678, +86 138…, full-width １３８…, 一三八…, 幺三八…; ID numbers with spaces. Digits
are read in any of these spellings (one character for one, so positions hold) and up to three
separators may stand between two digits (138 - 1234 - 5678).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from copilot.compliance.folding import NUMERALS

# spoken and written Chinese numerals, one character each: the compliance folding's own
_CHINESE_DIGITS = {char: str(digit) for digit, chars in enumerate(NUMERALS) for char in chars}
_SEP = r"[\s\-.·—_/\u200b-\u200d\u2060\ufeff]{0,3}"
_MOBILE = re.compile(rf"(?<![0-9])(?:[+＋]?86{_SEP})?(1{_SEP}[3-9](?:{_SEP}[0-9]){{9}})(?![0-9])")
_ID_CARD = re.compile(rf"(?<![0-9Xx])([1-9](?:{_SEP}[0-9]){{16}}{_SEP}[0-9Xx])(?![0-9Xx])")
_BANK_CARD = re.compile(rf"(?<![0-9])([3-6](?:{_SEP}[0-9]){{15,18}})(?![0-9])")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_ADDRESS = re.compile(
    r"([\u4e00-\u9fff]{1,8}(?:省|市|自治区))?([\u4e00-\u9fff]{1,8}(?:市|区|县))"
    r"([\u4e00-\u9fff\dA-Za-z]{1,20}?(?:路|街|道|巷|村|小区|大厦|花园|公寓)"
    r"[\u4e00-\u9fff\dA-Za-z-]{0,12}?\d+\s*(?:号楼|号|栋|幢|楼|室|单元)"
    r"(?:[\dA-Za-z-]*(?:号楼|号|栋|幢|楼|室|单元))*)"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Found:
    """One piece of personal data: its kind, its span in the text and its masked form."""

    kind: str
    start: int
    end: int
    masked: str


@cache
def _digit_table() -> dict[int, str]:
    """Every character that is one decimal digit (full-width, circled, Chinese) to 0-9."""
    table = {ord(char): digit for char, digit in _CHINESE_DIGITS.items()}
    for code in range(0x80, 0x10000):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded.isdigit() and folded.isascii():
            table[code] = folded
    return table


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text)


def valid_id_card(number: str) -> bool:
    """Mainland resident ID: a plausible birth date and the ISO 7064 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn(digits: str) -> bool:
    """The Luhn check bank cards carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def find(text: str) -> list[Found]:
    """Every mobile, ID-card and bank-card number, e-mail and street address, by position."""
    plain = text.translate(_digit_table())  # same length: positions are the text's
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int, masked: str) -> None:
        if not any(start < e and s < end for s, e in taken):
            taken.append((start, end))
            found.append(Found(kind, start, end, masked))

    for match in _ID_CARD.finditer(plain):
        number = _digits(match.group(1))
        if valid_id_card(number):
            add("id_card", match.start(1), match.end(1), number[:4] + "*" * 10 + number[-4:])
    for match in _BANK_CARD.finditer(plain):
        number = _digits(match.group(1))
        if 16 <= len(number) <= 19 and luhn(number):
            add("bank_card", match.start(1), match.end(1), "**** " + number[-4:])
    for match in _MOBILE.finditer(plain):
        number = _digits(match.group(1))
        add("mobile", match.start(1), match.end(1), f"{number[:3]}****{number[-4:]}")
    for match in EMAIL.finditer(text):
        add("email", match.start(), match.end(), f"{match.group(1)}***{match.group(2)}")
    for match in _ADDRESS.finditer(text):
        masked = f"{match.group(1) or ''}{match.group(2)}****"
        add("address", match.start(), match.end(), masked)
    return sorted(found, key=lambda item: item.start)


def has_personal_data(text: str) -> bool:
    """Whether text holds any personal data."""
    return bool(find(text))


def mask(text: str) -> str:
    """Text with personal data masked: safe for logs, storage and a third-party LLM."""
    pieces, position = [], 0
    for item in find(text):
        pieces += [text[position : item.start], item.masked]
        position = item.end
    pieces.append(text[position:])
    return "".join(pieces)
