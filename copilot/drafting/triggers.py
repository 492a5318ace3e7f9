"""Whether a message says a situation's trigger words, as customers actually write them.

Customers put a word or two inside a fixed phrase: 什么时候能到 for 什么时候到, 还没有到 for
还没到, 便宜一点 for 便宜点. A trigger of three or more Chinese characters therefore also matches
with up to two characters inserted within one clause; shorter triggers and those with Latin
letters or digits (3q, 12315) match only as written, and a closing question particle (没, 吗)
only right after the rest. A negated trigger inside an A-not-A
question (不发货 in 发不发货) asks, it does not complain, and does not match.
"""

import re
from functools import lru_cache

# characters a customer may put inside a trigger phrase, in all
MAX_INSERTED = 2
# shorter triggers match only as written: 取消 must not match 取了消息
MIN_SPREAD_CHARS = 3
# a trigger starting with one of these is no complaint inside an A-not-A question (发不发货)
NEGATIONS = "不没"
# particles that close a question (收到没, 发了吗)
QUESTION_ENDS = "吗没呢么嘛"
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# characters that end a clause in chat: a trigger's insertion never spans one
CLAUSE_BREAKS = r"\s，。！？、；：,.!?;:~～"
_INSERTABLE = rf"[^{CLAUSE_BREAKS}…]"


@lru_cache(maxsize=4096)
def _spread(word: str) -> re.Pattern[str] | None:
    if len(word) < MIN_SPREAD_CHARS or not _HAN.match(word):
        return None
    gap = f"{_INSERTABLE}{{0,{MAX_INSERTED}}}?"
    # a question's closing particle follows what it asks about (or its 了) directly: 签收没
    # asks whether it was signed (签收了没 too), 签收但我没收到 says it was
    if word[-1] in QUESTION_ENDS:
        return re.compile(gap.join(map(re.escape, word[:-1])) + "了?" + re.escape(word[-1]))
    return re.compile(gap.join(map(re.escape, word)))


def _asks_either_way(text: str, start: int, word: str) -> bool:
    """Whether the trigger at start is the second half of an A-not-A question (发不发货).

    不发货 complains that nothing is sent; 节假日发不发货 only asks.
    """
    return len(word) > 1 and word[0] in NEGATIONS and start > 0 and text[start - 1] == word[1]


def mentions(text: str, word: str) -> bool:
    """Whether text has the trigger word, as written or with a few characters inside it."""
    if any(
        not _asks_either_way(text, found.start(), word)
        for found in re.finditer(re.escape(word), text)
    ):
        return True
    pattern = _spread(word)
    if pattern is None:
        return False
    return any(
        len(found.group()) - len(word) <= MAX_INSERTED
        and not _asks_either_way(text, found.start(), word)
        for found in pattern.finditer(text)
    )


def mentions_any(text: str, words) -> bool:
    """Whether text has any of the trigger words (see mentions)."""
    return any(mentions(text, word) for word in words)
