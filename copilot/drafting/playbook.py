"""The built-in playbook: reply moves for every intent and everyday situation, for any shop.

A shop's own scripts always win for the same intent and situation; the playbook fills what the
shop has not written, so a shop with products and rules only (or nothing) still gets a draft for
every message. Moves state no fact of their own: slots such as {product} are filled from the
knowledge, and a move whose slot has no value is not offered. A shop overrides moves (same id)
or switches them off (`disabled:`) in its knowledge directory's playbook.yaml.
"""

import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from copilot.datafiles import package_yaml
from copilot.drafting.triggers import mentions_any
from copilot.errors import KnowledgeError
from copilot.index.text import normalize
from copilot.knowledge.loader import PLAYBOOK_FILE, read_yaml
from copilot.knowledge.models import Chunk
from copilot.knowledge.taxonomy import Intent, Stage
from copilot.schemas import Emotion

SHOP_PLAYBOOK = PLAYBOOK_FILE
BUILT_IN_SOURCE = "playbook"
SLOTS = frozenset({"product"})
# tags that decide when a move is offered rather than what it is about
NEEDS_PRODUCT, NEEDS_NO_PRODUCT = "needs_product", "needs_no_product"
# moves kept for a knowledge gap and for warnings, never offered as an intent's answer
SPECIAL_TAGS = frozenset({"knowledge_gap", "anti_fraud", "privacy"})
_MOVE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class Move(BaseModel):
    """One reply move: the substance of a draft for an intent (and situation)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=128, pattern=_MOVE_ID)
    intent: Intent
    text: str = Field(min_length=1)
    stages: list[Stage] = Field(default_factory=list)
    emotions: list[Emotion] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @field_validator("text")
    @classmethod
    def _known_slots(cls, text: str) -> str:
        try:
            slots = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise ValueError(f"bad slot syntax ({exc}); write {{product}}") from exc
        unknown = slots - SLOTS
        if unknown:
            raise ValueError(f"unknown slot(s) {sorted(unknown)}; the slots are {sorted(SLOTS)}")
        return text

    @property
    def slots(self) -> frozenset[str]:
        """The slots the text needs filled."""
        return frozenset(n for _, n, _, _ in string.Formatter().parse(self.text) if n)


class PlaybookFile(BaseModel):
    """playbook.yaml: trigger words per situation, moves, and moves switched off."""

    model_config = ConfigDict(extra="forbid")

    situations: dict[str, list[str]] = Field(default_factory=dict)
    moves: list[Move] = Field(default_factory=list)
    disabled: list[str] = Field(default_factory=list)

    @field_validator("situations", mode="before")
    @classmethod
    def _numbers_as_words(cls, value):
        """A trigger such as 12315 is a word, even unquoted in YAML."""
        if not isinstance(value, dict):
            return value
        return {
            name: [str(w) if isinstance(w, int | float) else w for w in words]
            if isinstance(words, list)
            else words
            for name, words in value.items()
        }


@dataclass(frozen=True)
class PlaybookMove:
    """A move and where it comes from (the built-in playbook or the shop's override file)."""

    move: Move
    source: str


@dataclass
class Playbook:
    """The moves in force for one shop, and the situations' trigger words."""

    moves: list[PlaybookMove] = field(default_factory=list)
    situations: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def for_intent(self, intent: str) -> list[PlaybookMove]:
        """Moves answering an intent (not the gap or warning moves)."""
        return [
            m for m in self.moves if m.move.intent == intent and not SPECIAL_TAGS & set(m.move.tags)
        ]

    def tagged(self, tag: str) -> list[PlaybookMove]:
        """Moves with a tag (knowledge_gap, anti_fraud, privacy)."""
        return [m for m in self.moves if tag in m.move.tags]

    def situation_of(self, move: Move) -> list[str]:
        """The move's situation tags (those with trigger words)."""
        return [tag for tag in move.tags if tag in self.situations]

    def present(self, situation: str, text: str) -> bool:
        """Whether a trigger word of the situation is in (normalized) text (see mentions)."""
        return mentions_any(text, self.situations.get(situation, ()))


def _problems(exc: ValidationError, where: str, raw: dict) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        label = where
        if len(loc) >= 2 and loc[0] == "moves" and isinstance(loc[1], int):
            entry = raw.get("moves", [])[loc[1]] if isinstance(raw.get("moves"), list) else None
            move_id = entry.get("id") if isinstance(entry, dict) else None
            label += f", move {loc[1] + 1}" + (f" ({move_id})" if move_id else "")
            loc = loc[2:]
        field_name = ".".join(str(part) for part in loc) or "(entry)"
        problems.append(f"{label}: field '{field_name}': {err['msg']}")
    return problems


def parse_playbook(raw, where: str) -> PlaybookFile:
    """A validated playbook file, or KnowledgeError naming the file, move and field."""
    if raw is None:
        return PlaybookFile()
    if not isinstance(raw, dict):
        raise KnowledgeError([f"{where}: expected a mapping, got {type(raw).__name__}"])
    try:
        parsed = PlaybookFile.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(_problems(exc, where, raw)) from exc
    seen: set[str] = set()
    problems = []
    for number, move in enumerate(parsed.moves, 1):
        if move.id in seen:
            problems.append(f"{where}, move {number} ({move.id}): field 'id': duplicate id")
        seen.add(move.id)
    if problems:
        raise KnowledgeError(problems)
    return parsed


def read_shop_playbook(path: Path, rel: str = SHOP_PLAYBOOK) -> PlaybookFile:
    """A shop's playbook.yaml, validated (KnowledgeError naming file, move and field)."""
    problems: list[str] = []
    raw = read_yaml(path, rel, problems, path.parent)
    if problems:
        raise KnowledgeError(problems)
    return parse_playbook(raw, rel)


def built_in_playbook() -> PlaybookFile:
    """The playbook shipped with the copilot (data/playbook.yaml)."""
    return parse_playbook(package_yaml("copilot.drafting", "playbook.yaml"), "built-in playbook")


def merge(
    built_in: PlaybookFile,
    shop: PlaybookFile | None,
    shop_source: str,
    base_situations: dict[str, list[str]] | None = None,
) -> Playbook:
    """The moves in force: the shop's override a built-in move of the same id; disabled dropped.

    base_situations: trigger words of situations the drafter already knows (late, damaged...),
    which the playbook's own lists extend and a shop's lists replace.
    """
    moves = {m.id: PlaybookMove(m, BUILT_IN_SOURCE) for m in built_in.moves}
    situations = {k: list(v) for k, v in (base_situations or {}).items()}
    situations.update({k: list(v) for k, v in built_in.situations.items()})
    if shop is not None:
        own = {m.id for m in shop.moves}
        unknown = [i for i in shop.disabled if i not in moves and i not in own]
        if unknown:
            raise KnowledgeError(
                [f"{shop_source}: field 'disabled': unknown move id(s) {', '.join(unknown)}"]
            )
        for move in shop.moves:
            moves[move.id] = PlaybookMove(move, shop_source)
        for name, words in shop.situations.items():
            situations[name] = list(words)
        for move_id in shop.disabled:
            moves.pop(move_id, None)
    return Playbook(
        list(moves.values()),
        {name: tuple(normalize(str(w)) for w in words) for name, words in situations.items()},
    )


def load_playbook(
    knowledge_dir: Path | None, base_situations: dict[str, list[str]] | None = None
) -> Playbook:
    """The built-in playbook with the shop's overrides from knowledge_dir/playbook.yaml."""
    shop = None
    if knowledge_dir is not None and (knowledge_dir / SHOP_PLAYBOOK).is_file():
        shop = read_shop_playbook(knowledge_dir / SHOP_PLAYBOOK)
    return merge(built_in_playbook(), shop, SHOP_PLAYBOOK, base_situations)


_SLOT = re.compile(r"\{(\w+)\}")


def move_chunk(entry: PlaybookMove, stage: str, product: Chunk | None = None) -> Chunk | None:
    """The move as a citable chunk with its slots filled, or None when a slot has no value.

    A move that names the product carries its sku: a draft using it cites the product too,
    since the name (often with a size or model number) comes from there.
    """
    move = entry.move
    if "product" in move.slots and product is None:
        return None
    values = {"product": product.title if product else ""}
    text = _SLOT.sub(lambda m: values[m.group(1)], move.text)
    return Chunk(
        id=f"playbook:{move.id}",
        type="playbook",
        text=text,
        source=entry.source,
        title=",".join(move.tags),
        sku=product.sku if product and "product" in move.slots else "",
        intent=move.intent,
        stage=stage,
    )
