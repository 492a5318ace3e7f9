"""Risky customer messages (phishing, prompt injection, personal data, off-platform contact)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from copilot.datafiles import package_yaml
from copilot.understand.links import link_hosts, link_pattern
from copilot.understand.signals import cue_pattern
from copilot.understand.textprep import prepare

# the trained risk head's probability from which a message is flagged, unless the model file
# records the thresholds cross-validation chose
RISK_AT = 0.5

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
    known_domains: tuple[str, ...]
    phishing_markers: re.Pattern
    injection_markers: re.Pattern
    off_platform: re.Pattern
    off_platform_allow: tuple[str, ...]


@cache
def _patterns() -> _Patterns:
    data = package_yaml("copilot.understand", "risk.yaml")

    def words(key: str) -> tuple[str, ...]:
        return tuple(prepare(str(word)) for word in data[key])

    return _Patterns(
        platform_domains=tuple(data["platform_domains"]),
        known_domains=tuple(data["known_domains"]),
        phishing_markers=cue_pattern(words("phishing_markers")),
        injection_markers=cue_pattern(words("injection_markers")),
        off_platform=cue_pattern(words("off_platform_contact")),
        off_platform_allow=words("off_platform_allow"),
    )


def _under(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def suspicious_links(text: str) -> list[str]:
    """Hosts of links that are neither the platforms' own nor well-known sites."""
    patterns = _patterns()
    return [
        host
        for host in link_hosts(text)
        if not _under(host, patterns.platform_domains) and not _under(host, patterns.known_domains)
    ]


def has_pii(text: str) -> bool:
    """Mobile, ID-card or bank-card number, e-mail or street address in text."""
    return (
        bool(_MOBILE.search(text))
        or any(_valid_id_card(m.group(0)) for m in _ID_CARD.finditer(text))
        or any(_bank_card(m) for m in _BANK_CARD.finditer(text))
        or bool(_EMAIL.search(text))
        or bool(_ADDRESS.search(text))
    )


def detect_flags(
    text: str,
    risks: dict[str, float] | None = None,
    thresholds: dict[str, float] | None = None,
) -> list[str]:
    """Risk flags of a customer message, in the contract's order.

    risks: the trained risk head's probabilities (prompt_injection, phishing) for the message;
    thresholds: the probability each label is flagged from (RISK_AT when not given).
    """
    patterns = _patterns()
    prepared = prepare(text)
    risks, thresholds = risks or {}, thresholds or {}

    def likely(label: str) -> bool:
        return risks.get(label, 0.0) >= thresholds.get(label, RISK_AT)

    flags = []
    if (
        suspicious_links(prepared)
        or patterns.phishing_markers.search(prepared)
        or likely("phishing")
    ):
        flags.append("phishing_link")
    if patterns.injection_markers.search(prepared) or likely("prompt_injection"):
        flags.append("prompt_injection")
    if has_pii(text):
        flags.append("pii")
    unlinked = _EMAIL.sub(" ", link_pattern().sub(" ", prepared))
    for phrase in patterns.off_platform_allow:
        unlinked = unlinked.replace(phrase, "")
    if patterns.off_platform.search(unlinked):
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
