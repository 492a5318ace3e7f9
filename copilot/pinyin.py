"""Toneless pinyin of Chinese characters, shared by compliance matching and the classifiers.

Each character is read by its first reading in pypinyin's bundled dictionary (a table lookup, no
phrase segmentation): fast, deterministic, and what people type when they write a word by sound.
"""

import unicodedata
from functools import cache

from pypinyin.pinyin_dict import pinyin_dict


def toneless(syllable: str) -> str:
    """A syllable without tone marks, lower case (lüè → lue)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@cache
def character_readings() -> dict[int, str]:
    """Code point → toneless first reading, for the CJK characters of the basic plane."""
    return {
        code: toneless(readings.split(",")[0])
        for code, readings in pinyin_dict.items()
        if 0x3400 <= code <= 0x9FFF
    }


@cache
def syllable_set() -> frozenset[str]:
    """Every toneless syllable a character reads as."""
    return frozenset(reading for reading in character_readings().values() if reading.isalpha())
