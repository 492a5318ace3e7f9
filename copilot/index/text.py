"""Text normalisation and Chinese tokenisation for lexical retrieval."""

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

import jieba
from opencc import OpenCC

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def _data_lines(name: str) -> list[str]:
    text = resources.files("copilot.index").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """Full-width to half-width, lower case and Traditional to Simplified Chinese.

    Memoised: knowledge sentences and cue words are normalised again and again.
    """
    return _t2s().convert(unicodedata.normalize("NFKC", text).lower())


class ChineseTokenizer:
    """jieba in search mode with the shop's own words, minus stopwords and punctuation.

    Each instance owns its jieba dictionary, so adding product names never leaks between shops.
    """

    def __init__(self, extra_words: Iterable[str] = ()):
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._stopwords = frozenset(_data_lines("stopwords.txt"))
        for word in [*_data_lines("domain_words.txt"), *extra_words]:
            word = normalize(word).strip()
            if word:
                self._jieba.add_word(word, freq=20000)

    def tokens(self, text: str) -> list[str]:
        """Lexical tokens of text (normalised first)."""
        with self._lock:  # jieba initialises its dictionary lazily and is not thread-safe then
            words = self._jieba.cut_for_search(normalize(text))
            return [
                w
                for w in (w.strip() for w in words)
                if w and w not in self._stopwords and _WORD.search(w)
            ]
