"""Risky customer messages (phishing, prompt injection, personal data, off-platform contact)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from copilot.datafiles import package_yaml
from copilot.index.text import normalize

_URL = re.compile(
    r"(?:https?://|www\.)[^\s，。！？、\u4e00-\u9fff]+"
    r"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:com|cn|net|org|top|xyz|cc|vip|info|shop|site|online|club|io|me|ly)"
    r"(?:/[^\s，。！？\u4e00-\u9fff]*)?",
    re.IGNORECASE,
)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![\dXx])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])")
_BANK_CARD = re.compile(r"(?<!\d)([3-6]\d{3}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?)(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_ADDRESS = re.compile(
    r"([\u4e00-\u9fff]{1,8}(?:省|市|自治区))?([\u4e00-\u9fff]{1,8}(?:市|区|县))"
    r"([\u4e00-\u9fff\dA-Za-z]{1,20}?(?:路|街|道|巷|村|小区|大厦|花园|公寓)"
    r"[\u4e00-\u9fff\dA-Za-z-]{0,12}?\d+\s*(?:号楼|号|栋|幢|楼|室|单元)"
    r"(?:[\dA-Za-z-]*(?:号楼|号|栋|幢|楼|室|单元))*)"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _valid_id_card(number: str) -> bool:
    """Mainland resident ID: a plausible birth date and the ISO 7064 check digit."""
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _bank_card(match: re.Match) -> bool:
    digits = re.sub(r"\D", "", match.group(1))
    return 16 <= len(digits) <= 19 and _luhn(digits)


@dataclass(frozen=True)
class _Patterns:
    platform_domains: tuple[str, ...]
    lures: tuple[str, ...]
    injection: tuple[str, ...]
    off_platform: tuple[str, ...]
    off_platform_allow: tuple[str, ...]


@cache
def _patterns() -> _Patterns:
    data = package_yaml("copilot.understand", "risk.yaml")

    def words(key: str) -> tuple[str, ...]:
        return tuple(normalize(str(word)) for word in data[key])

    return _Patterns(
        platform_domains=tuple(data["platform_domains"]),
        lures=words("phishing_lures"),
        injection=words("prompt_injection"),
        off_platform=words("off_platform_contact"),
        off_platform_allow=words("off_platform_allow"),
    )


def _host(url: str) -> str:
    host = re.sub(r"^(?:https?://)?", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


def _foreign_link(text: str, platform_domains: tuple[str, ...]) -> bool:
    for match in _URL.finditer(text):
        host = _host(match.group(0))
        if not any(host == d or host.endswith("." + d) for d in platform_domains):
            return True
    return False


def has_pii(text: str) -> bool:
    """Mobile, ID-card or bank-card number, e-mail or street address in text."""
    return (
        bool(_MOBILE.search(text))
        or any(_valid_id_card(m.group(0)) for m in _ID_CARD.finditer(text))
        or any(_bank_card(m) for m in _BANK_CARD.finditer(text))
        or bool(_EMAIL.search(text))
        or bool(_ADDRESS.search(text))
    )


def detect_flags(text: str) -> list[str]:
    """Risk flags of a customer message, in the contract's order."""
    patterns = _patterns()
    folded = normalize(text)
    flags = []
    if _foreign_link(folded, patterns.platform_domains) or any(
        lure in folded for lure in patterns.lures
    ):
        flags.append("phishing_link")
    if any(phrase in folded for phrase in patterns.injection):
        flags.append("prompt_injection")
    if has_pii(text):
        flags.append("pii")
    unallowed = _EMAIL.sub(" ", _URL.sub(" ", folded))
    for phrase in patterns.off_platform_allow:
        unallowed = unallowed.replace(phrase, "")
    if any(word in unallowed for word in patterns.off_platform):
        flags.append("off_platform_contact")
    return flags


def _mask_id(match: re.Match) -> str:
    number = match.group(0)
    return number[:4] + "*" * 10 + number[-4:] if _valid_id_card(number) else number


def _mask_bank(match: re.Match) -> str:
    if not _bank_card(match):
        return match.group(0)
    return "**** " + re.sub(r"\D", "", match.group(1))[-4:]


_MASKERS: tuple[tuple[re.Pattern, Callable[[re.Match], str]], ...] = (
    (_ID_CARD, _mask_id),
    (_BANK_CARD, _mask_bank),
    (_MOBILE, lambda m: f"{m.group(1)}****{m.group(3)}"),
    (_EMAIL, lambda m: f"{m.group(1)}***{m.group(2)}"),
    (_ADDRESS, lambda m: f"{m.group(1) or ''}{m.group(2)}****"),
)


def mask_pii(text: str) -> str:
    """Text with personal data masked: safe for logs and for a third-party LLM."""
    for pattern, mask in _MASKERS:
        text = pattern.sub(mask, text)
    return text
