"""How a message sounds: toneless pinyin syllables, the classifiers' third kind of feature.

Customers type homophones (反现 for 返现, 退宽 for 退款) and whole messages in pinyin
("wangji ni zhiqian de zhiling"); read as syllables, such a message shares its features with the
characters it stands for. A run of Latin letters that splits into pinyin syllables becomes those
syllables; any other word (prompt, iphone) stays as it is.
"""

import re

from copilot.pinyin import character_readings, syllable_set

_LATIN = re.compile(r"([a-z]+)")
_V_FOR_U = re.compile(r"(?<=[ln])v")  # ü typed as v: lv (绿), nve (虐); the readings spell it u
_LONGEST_SYLLABLE = 6


def split_syllables(word: str) -> list[str] | None:
    """A Latin word cut into pinyin syllables (longest first), or None when it is not pinyin."""
    known = syllable_set()
    word = _V_FOR_U.sub("u", word)
    cut, start = [], 0
    while start < len(word):
        for end in range(min(len(word), start + _LONGEST_SYLLABLE), start, -1):
            if word[start:end] in known:
                cut.append(word[start:end])
                start = end
                break
        else:
            return None
    return cut


def syllables(text: str) -> list[str]:
    """The sounds of a prepared text, one token per syllable; digits and symbols dropped."""
    readings = character_readings()
    tokens: list[str] = []
    for position, piece in enumerate(_LATIN.split(text.lower())):
        if position % 2:  # the captured Latin words sit at odd positions
            tokens.extend(split_syllables(piece) or [piece])
        else:
            tokens.extend(readings[ord(ch)] for ch in piece if ord(ch) in readings)
    return tokens
