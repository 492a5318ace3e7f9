"""How a customer's message is read before classification: folded, compacted, product words masked.

Folding (full-width, case, Traditional) comes from the index's normaliser. Compacting drops
invisible characters and the spaces or separator symbols customers put between Chinese characters
("还没发货 能不能改地址", "忽 略 之 前"), so spaced, run-on and obfuscated messages read alike.
"""

import re

from copilot.index.text import normalize
from copilot.understand.links import without_links

MASK = "商品"
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CJK = "\u3400-\u9fff"
_GAP = re.compile(rf"(?<=[{_CJK}])[\s\-_.·•*~|/\\+=^]+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def prepare(text: str) -> str:
    """The message folded and compacted (what cue words and link rules are matched on)."""
    folded = normalize(_INVISIBLE.sub("", text))
    return _SPACES.sub(" ", _GAP.sub("", folded)).strip()


def model_text(text: str) -> str:
    """The message as the classifiers read it, before product words are masked.

    Prepared, with every link replaced by one word.
    """
    return without_links(prepare(text))
