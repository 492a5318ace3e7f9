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


class _OwnWords(dict):
    """A shop's own words over the shared dictionary, which is read and never copied.

    jieba's dictionary holds ~350,000 entries (tens of MB); one copy per shop would not fit a
    deployment of many shops. jieba reads FREQ with `in`, `[]` and `.get`, and add_word writes
    into it: writes land in this overlay, reads fall through to the shared dictionary.
    """

    __slots__ = ("base",)

    def __init__(self, base: dict):
        super().__init__()
        self.base = base

    def __missing__(self, key):
        return self.base[key]

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or key in self.base

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self.base.get(key, default)


@cache
def _shared_dictionary() -> tuple[dict, int]:
    """Jieba's dictionary plus the domain words, built once per process (read-only after)."""
    tokenizer = jieba.Tokenizer()
    for word in _data_lines("domain_words.txt"):
        word = normalize(word).strip()
        if word:
            tokenizer.add_word(word, freq=20000)
    return tokenizer.FREQ, tokenizer.total


class ChineseTokenizer:
    """jieba in search mode with the shop's own words, minus stopwords and punctuation.

    Each instance has its own words over one shared dictionary, so adding product names never
    leaks between shops and a shop costs only its own words in memory.
    """

    def __init__(self, extra_words: Iterable[str] = ()):
        base, total = _shared_dictionary()
        self._jieba = jieba.Tokenizer()
        self._jieba.FREQ, self._jieba.total, self._jieba.initialized = _OwnWords(base), total, True
        self._lock = threading.Lock()
        self._stopwords = frozenset(_data_lines("stopwords.txt"))
        for word in extra_words:
            word = normalize(word).strip()
            if word:
                self._jieba.add_word(word, freq=20000)

    def is_word(self, text: str) -> bool:
        """Whether text is a word of the dictionary (砂锅, 锅盖) and not just characters (锅带)."""
        return bool(self._jieba.FREQ.get(normalize(text)))

    def tokens(self, text: str) -> list[str]:
        """Lexical tokens of text (normalised first)."""
        with self._lock:  # jieba initialises its dictionary lazily and is not thread-safe then
            words = self._jieba.cut_for_search(normalize(text))
            return [
                w
                for w in (w.strip() for w in words)
                if w and w not in self._stopwords and _WORD.search(w)
            ]
