"""Finding links in prepared text and reading their hosts the way a browser would."""

import re
from functools import cache
from urllib.parse import urlsplit

from copilot.datafiles import package_yaml

LINK_WORD = "链接"


@cache
def link_pattern() -> re.Pattern:
    """Links with a scheme or www., bare hosts on known top-level domains, and bare IPs."""
    tlds = package_yaml("copilot.understand", "risk.yaml")["link_tlds"]
    alternatives = "|".join(sorted((re.escape(t) for t in tlds), key=len, reverse=True))
    stop = r"\s，。！？、；\u3400-\u9fff"
    return re.compile(
        rf"(?:https?://|www\.)[^{stop}]+"
        rf"|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:{alternatives}|xn--[a-z0-9-]+)(?![a-z0-9-])(?::\d+)?"
        rf"(?:[/?#\\][^{stop}]*)?"
        rf"|(?<![\d.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?![\d.])(?::\d+)?(?:/[^{stop}]*)?",
        re.IGNORECASE,
    )


def link_hosts(text: str) -> list[str]:
    """The host of every link in prepared text, as a browser would read it.

    Backslashes count as slashes, user names before '@' and anything after '?' or '#' are not
    the host (https://taobao.com@evil.top and https://evil.top?.taobao.com go to evil.top).
    """
    hosts = []
    for match in link_pattern().finditer(text):
        raw = match.group(0).replace("\\", "/")
        if not re.match(r"https?://", raw, re.IGNORECASE):
            raw = "http://" + raw
        try:
            host = urlsplit(raw).hostname or ""
        except ValueError:
            host = ""
        hosts.append(host.rstrip(".").lower() or raw)
    return hosts


def without_links(text: str) -> str:
    """Every link replaced by one word.

    Whether a link is safe is the domain rules' call; the models read the words around it.
    """
    return link_pattern().sub(LINK_WORD, text)
