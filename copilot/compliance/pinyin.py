"""Terms found by sound: 加我wei信, wēi xìn, wei1xin4, 治liao, sha比.

The folded text is read as toneless pinyin (each Chinese character by its first reading, Latin
letters as written, tone digits after a syllable dropped) and the terms of categories marked
`pinyin` are matched on that reading. Sound alone finds ordinary words too (威信 is prestige,
资料 sounds like 治疗), so a hit by sound must also have the context that makes it a term:
a contact channel a contact verb, an ID or a number near it; any other term a Latin letter, or
(three characters or more) one character of its own, and never a dictionary word.
"""

import re
from functools import cache

import ahocorasick
import jieba
import numpy as np
from pypinyin import Style, lazy_pinyin

from copilot.compliance.contacts import CONTEXT_WINDOW, ContactContext
from copilot.compliance.folding import fold
from copilot.compliance.lexicon import Term
from copilot.pinyin import character_readings, toneless

CONTACT_CATEGORY = "off_platform_contact"
# a tone digit: 1-5 right after a letter that can end a syllable, not followed by a digit
_TONE_DIGIT = re.compile(r"(?<=[aeiouvngr])[1-5](?![0-9])")
_CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def _readings() -> tuple[dict[int, str], np.ndarray]:
    """Each Chinese character's first reading without tone, and its length per code point."""
    table = character_readings()
    lengths = np.ones(0x10000, dtype=np.int64)
    for code, reading in table.items():
        lengths[code] = len(reading)
    return table, lengths


def read_aloud(folded: str) -> tuple[str, np.ndarray, np.ndarray]:
    """Pinyin of folded text; for each pinyin character, its folded index; each index's start."""
    kept = np.ones(len(folded), dtype=bool)
    for match in _TONE_DIGIT.finditer(folded):
        kept[match.start()] = False
    table, lengths = _readings()
    codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    sizes = np.where(kept, lengths[np.minimum(codes, 0xFFFF)], 0)
    reading = folded.translate(table) if kept.all() else _dropping(folded, kept).translate(table)
    origin = np.repeat(np.arange(len(folded)), sizes)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    return reading, origin, starts


def _dropping(folded: str, kept: np.ndarray) -> str:
    return "".join(char for char, keep in zip(folded, kept, strict=True) if keep)


def dictionary_word(word: str) -> bool:
    """Whether jieba's dictionary knows the word (an ordinary word, not a disguise)."""
    jieba.dt.check_initialized()
    return jieba.dt.FREQ.get(word, 0) > 0


def _stands_alone(folded: str, first: int, last: int) -> bool:
    """Whether the span starts and ends where jieba's words do.

    可以直接 is 可以|直接: 可以直 is no word of the text, so it cannot be 可以治 in disguise.
    """
    floor = max(0, first - 6)
    edges, position = set(), floor
    for word in jieba.cut(folded[floor : last + 7], HMM=False):
        edges.add(position)
        position += len(word)
    edges.add(position)
    return first in edges and last + 1 in edges


class SoundMatcher:
    """Terms of `pinyin` categories matched on the text read aloud."""

    def __init__(self, terms: list[Term], context: ContactContext):
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}
        for term in terms:
            key = fold(term.text)[0]
            if not term.pinyin or len(key) < 2 or not all(_CJK.match(c) for c in key):
                continue
            sound = "".join(toneless(s) for s in lazy_pinyin(key, style=Style.TONE))
            entries.setdefault(sound, []).append((term, key))
        for sound, found in entries.items():
            self._automaton.add_word(sound, (len(sound), tuple(found)))
        if entries:
            self._automaton.make_automaton()
        self._context = context
        self._verb_sounds = tuple(
            "".join(lazy_pinyin(v)) for v in context.verbs if len(v) > 1 or v == "加"
        )

    def find(self, folded: str) -> list[tuple[Term, int, int]]:
        """(term, folded start, folded end) of every hit that only sound finds."""
        if not len(self._automaton) or not folded:
            return []
        reading, origin, starts = read_aloud(folded)
        found = []
        for end, (length, candidates) in self._automaton.iter(reading):
            begin = end - length + 1
            first, last = int(origin[begin]), int(origin[end])
            if starts[first] != begin and not folded[first].isascii():
                continue  # starts inside a Chinese character's reading
            if starts[last + 1] != end + 1 and not folded[last].isascii():
                continue
            span = folded[first : last + 1]
            for term, key in candidates:
                if span != key and self._plausible(term, key, span, folded, first, last):
                    found.append((term, first, last))
        return found

    def _plausible(self, term: Term, key: str, span: str, folded: str, first: int, last: int):
        if term.category == CONTACT_CATEGORY:
            if not (self._context.near(folded, first, last) or self._verb_heard(folded, first)):
                return False
            # 充电宝 holds 电宝 (dianbao, as 电报): a span inside an ordinary word is that word
            return any(c.isascii() for c in span) or _stands_alone(folded, first, last)
        if any(c.isascii() and c.isalpha() for c in span):
            return True
        if len(key) < 3:  # 药用 sounds like 咬用 in 啃咬用: two characters are too easily alike
            return False
        own = len(span) == len(key) and any(a == b for a, b in zip(span, key, strict=True))
        return own and not dictionary_word(span) and _stands_alone(folded, first, last)

    def _verb_heard(self, folded: str, first: int) -> bool:
        """A contact verb said in pinyin just before the channel (jia wo weixin)."""
        before = read_aloud(folded[max(0, first - CONTEXT_WINDOW) : first])[0]
        return any(sound in before for sound in self._verb_sounds)
