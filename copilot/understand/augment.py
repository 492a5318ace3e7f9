"""Chat-like variants of labelled utterances: how the same request arrives in a real chat.

Every variant keeps the row's labels (a join keeps the intent of the main message and the more
severe emotion). Deterministic: the choices are seeded by the row's id, so training twice gives
the same data and the same model.
"""

import random
import re
import zlib
from dataclasses import dataclass
from functools import cache

from opencc import OpenCC

from copilot.datafiles import package_yaml
from copilot.understand.dataset import Utterance

_PUNCTUATION = re.compile(r"[\s，。！？、；：,.!?;:~～…]+")
_SEVERITY = {"calm": 0, "anxious": 1, "angry": 2}


@dataclass(frozen=True)
class Variant:
    """An augmented text with the labels it inherits and the transformations it went through."""

    text: str
    intent: str
    emotion: str
    category: str
    previous: str | None
    kind: str
    row_id: str


@cache
def _noise() -> dict:
    return package_yaml("copilot.understand", "chat_noise.yaml")


@cache
def _s2t() -> OpenCC:
    return OpenCC("s2t")


def _rng(row_id: str, salt: str) -> random.Random:
    return random.Random(zlib.crc32(f"{row_id}:{salt}".encode()))


def strip_punctuation(text: str) -> str:
    """One run-on line: no punctuation, no spaces."""
    return _PUNCTUATION.sub("", text)


def add_typos(text: str, rng: random.Random) -> str:
    """Swap in common typos and homophones (at most two places)."""
    typos = _noise()["typos"]
    found = [word for word in typos if word in text]
    rng.shuffle(found)
    for word in found[:2]:
        text = text.replace(word, rng.choice(typos[word]), 1)
    return text


def add_particles(text: str, emotion: str, rng: random.Random) -> str:
    """A trailing particle and an emoji that fits the feeling."""
    noise = _noise()
    text = text.rstrip("。.")
    return text + rng.choice(noise["particles"]) + rng.choice(noise["emoji"][emotion])


def traditional(text: str) -> str:
    """The same message in Traditional characters."""
    return _s2t().convert(text)


NOISE_KINDS = ("particles", "traditional", "typos")


def _noisy(kind: str, row: Utterance, rng: random.Random) -> str:
    if kind == "typos":
        return add_typos(row.text, rng)
    if kind == "particles":
        return add_particles(row.text, row.emotion, rng)
    return traditional(row.text)


def _variant(row: Utterance, text: str, kind: str, emotion: str | None = None) -> Variant:
    return Variant(
        text, row.intent, emotion or row.emotion, row.category, row.previous, kind, row.id
    )


def _join(row: Utterance, partners: list[Utterance], rng: random.Random) -> Variant:
    """Two turns sent as one run-on message (an opener, or another message of the same intent)."""
    if not partners or rng.random() < 0.4:
        opener = rng.choice(_noise()["openers"])
        return _variant(row, strip_punctuation(f"{opener}{row.text}"), "join")
    other = rng.choice(partners)
    first, second = (other, row) if rng.random() < 0.5 else (row, other)
    emotion = max(row.emotion, other.emotion, key=_SEVERITY.__getitem__)
    return _variant(row, strip_punctuation(first.text + second.text), "join", emotion)


def augment(rows: list[Utterance]) -> list[Variant]:
    """About three chat-like variants per row (run-on, noisy, and a join for one row in three)."""
    by_intent: dict[tuple[str, str], list[Utterance]] = {}
    for row in rows:
        if row.previous is None:
            by_intent.setdefault((row.category, row.intent), []).append(row)
    variants: list[Variant] = []
    for row in rows:
        rng = _rng(row.id, "augment")
        flat = strip_punctuation(row.text)
        if flat != row.text:
            variants.append(_variant(row, flat, "strip"))
        kind = rng.choice(NOISE_KINDS)
        text = _noisy(kind, row, rng)
        if text != row.text:
            variants.append(_variant(row, text, kind))
        if row.previous is None and rng.random() < 1 / 3:
            partners = [p for p in by_intent[(row.category, row.intent)] if p.id != row.id]
            variants.append(_join(row, partners, rng))
    return variants
