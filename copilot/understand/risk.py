"""Risky customer messages (phishing, prompt injection, personal data, off-platform contact)."""

import re
from dataclasses import dataclass
from functools import cache

from copilot.datafiles import package_yaml
from copilot.personal_data import EMAIL, has_personal_data
from copilot.understand.links import link_hosts, link_pattern, public_suffixes
from copilot.understand.signals import cue_pattern
from copilot.understand.textprep import prepare

# the trained risk head's probability from which a message is flagged, unless the model file
# records the thresholds cross-validation chose
RISK_AT = 0.5


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
    """Whether host belongs to one of the domains.

    Its registrable domain (item.taobao.com → taobao.com; an IP address is its own) is one of
    them, or a listed public suffix (gov.cn) holds it.
    """
    parts = public_suffixes()(host)
    if (parts.top_domain_under_public_suffix or host) in domains:
        return True
    return any(d == parts.suffix or parts.suffix.endswith("." + d) for d in domains)


def suspicious_links(text: str) -> list[str]:
    """Hosts of links that are neither the platforms' own nor well-known sites."""
    patterns = _patterns()
    return [
        host
        for host in link_hosts(text)
        if not _under(host, patterns.platform_domains) and not _under(host, patterns.known_domains)
    ]


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
    if has_personal_data(text):
        flags.append("pii")
    unlinked = EMAIL.sub(" ", link_pattern().sub(" ", prepared))
    for phrase in patterns.off_platform_allow:
        unlinked = unlinked.replace(phrase, "")
    if patterns.off_platform.search(unlinked):
        flags.append("off_platform_contact")
    return flags
