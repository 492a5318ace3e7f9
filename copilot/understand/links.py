"""Finding links in prepared text and reading their hosts the way a browser would."""

import re
from functools import cache
from urllib.parse import urlsplit

import tldextract

from copilot.datafiles import package_yaml

LINK_WORD = "链接"


@cache
def public_suffixes() -> tldextract.TLDExtract:
    """The Public Suffix List snapshot bundled with tldextract: never fetched at run time.

    Private suffixes count (github.io, myshopify.com): evil.github.io is its own site.
    """
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


@cache
def link_pattern() -> re.Pattern:
    """Links with a scheme or www., bare hosts and bare IPs.

    A bare host counts on a common top-level domain, or on any with a path after it.
    """
    tlds = package_yaml("copilot.understand", "risk.yaml")["link_tlds"]
    alternatives = "|".join(sorted((re.escape(t) for t in tlds), key=len, reverse=True))
    stop = r"\s，。！？、；\u3400-\u9fff"
    # after a scheme a host may have Chinese labels (http://淘宝退款.com): labels of anything but
    # spaces, punctuation and URL delimiters, ending in an ASCII top-level domain
    label = r"[^\s，。！？、；/?#\\:.@]+"
    return re.compile(
        rf"https?://(?:{label}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]+)(?![a-z0-9-])(?::\d+)?"
        rf"(?:[/?#\\][^{stop}]*)?"
        rf"|(?:https?://|www\.)[^{stop}]+"
        rf"|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:{alternatives}|xn--[a-z0-9-]+)(?![a-z0-9-])(?::\d+)?"
        rf"(?:[/?#\\][^{stop}]*)?"
        rf"|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:{every_tld()})(?![a-z0-9-])(?::\d+)?/[^{stop}]*"
        rf"|(?<![\d.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?![\d.])(?::\d+)?(?:/[^{stop}]*)?",
        re.IGNORECASE,
    )


@cache
def every_tld() -> str:
    """Every top-level domain of the bundled Public Suffix List, as a regex alternation.

    A bare host on one of these is a link only with a path after it (evil.lol/refund): alone,
    words like hello.world would be links too.
    """
    tlds = {t for t in public_suffixes().tlds if "." not in t and t.isascii() and t.isalpha()}
    return "|".join(sorted(map(re.escape, tlds), key=len, reverse=True))


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
