"""Load and validate a knowledge directory; every problem names its file, entry and field."""

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from copilot.errors import KnowledgeError
from copilot.knowledge.models import BannedWords, Product, RuleDocument, RuleSection, Script

log = logging.getLogger(__name__)

BANNED_WORDS_FILE = "compliance/banned_words.yaml"
PLAYBOOK_FILE = "playbook.yaml"


@dataclass
class KnowledgeBase:
    """A validated knowledge directory."""

    root: Path
    products: dict[str, tuple[str, Product]] = field(default_factory=dict)
    rules: dict[str, RuleDocument] = field(default_factory=dict)
    scripts: dict[str, tuple[str, Script]] = field(default_factory=dict)
    banned_words: BannedWords | None = None
    warnings: list[str] = field(default_factory=list)


def load_knowledge(root: Path) -> KnowledgeBase:
    """Validate every file under root and return the knowledge, or raise KnowledgeError."""
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError([f"{root}: knowledge directory does not exist"])
    kb = KnowledgeBase(root=root)
    problems: list[str] = []
    known: set[Path] = set()
    for path in sorted((root / "products").glob("*.y*ml")):
        known.add(path)
        _load_keyed(kb, path, problems, Product, "sku", kb.products)
    for path in sorted((root / "rules").glob("*.md")):
        known.add(path)
        _load_rules(kb, path, problems)
    for path in sorted((root / "scripts").glob("*.y*ml")):
        known.add(path)
        _load_keyed(kb, path, problems, Script, "id", kb.scripts)
    banned = root / BANNED_WORDS_FILE
    if banned.is_file():
        known.add(banned)
        kb.banned_words = _load_banned_words(banned, BANNED_WORDS_FILE, problems)
    playbook = root / PLAYBOOK_FILE
    if playbook.is_file():
        known.add(playbook)
        from copilot.drafting.playbook import load_playbook  # drafting builds on knowledge

        try:
            load_playbook(root)
        except KnowledgeError as exc:
            problems += exc.problems
    _check_related(kb, problems)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p not in known):
        if not any(part.startswith(".") for part in path.relative_to(root).parts):
            kb.warnings.append(f"{path.relative_to(root)}: not a knowledge file, ignored")
    if not (kb.products or kb.rules or kb.scripts) and not problems:
        kb.warnings.append(
            f"{root}: no products/*.yaml, rules/*.md or scripts/*.yaml yet; drafts come from the "
            "built-in playbook only"
        )
    if problems:
        raise KnowledgeError(problems)
    for warning in kb.warnings:
        log.warning(warning)
    return kb


def read_yaml(path: Path, rel: str, problems: list[str]):
    """A YAML file's data, or None with the problem (UTF-8, syntax and its line) recorded."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(f"{rel}: not UTF-8 text")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problems.append(f"{rel}: invalid YAML{where}: {getattr(exc, 'problem', exc)}")
    return None


def _entries(data, rel: str, problems: list[str]) -> list:
    """A file holds a list of entries; a single mapping is accepted as a list of one."""
    if data is None:
        return []
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    problems.append(f"{rel}: expected a list of entries or a mapping, got {type(data).__name__}")
    return []


def _validate(model: type[BaseModel], raw, where: str, problems: list[str]):
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping, got {type(raw).__name__}")
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"]) or "(entry)"
            problems.append(f"{where}: field '{loc}': {err['msg']}")
        return None


def _rel(kb: KnowledgeBase, path: Path) -> str:
    return path.relative_to(kb.root).as_posix()


def _load_keyed(
    kb: KnowledgeBase,
    path: Path,
    problems: list[str],
    model: type[BaseModel],
    key: str,
    registry: dict,
) -> None:
    """Validate each entry of a YAML list and register it under its unique key field."""
    rel = _rel(kb, path)
    for number, raw in enumerate(_entries(read_yaml(path, rel, problems), rel, problems), 1):
        label = f"{rel}, entry {number}"
        if isinstance(raw, dict) and raw.get(key):
            label += f" ({key} {raw[key]})"
        entry = _validate(model, raw, label, problems)
        if entry is None:
            continue
        value = getattr(entry, key)
        if value in registry:
            problems.append(
                f"{label}: field '{key}': duplicate, already defined in {registry[value][0]}"
            )
            continue
        registry[value] = (rel, entry)


_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")


def parse_rules_markdown(text: str, rel: str, problems: list[str]) -> RuleDocument | None:
    """Split a rules document into its `# title` and `## sections`."""
    title = ""
    sections: list[tuple[str, list[str], int]] = []
    in_fence = False
    for line_no, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            if title:
                problems.append(f"{rel}, line {line_no}: a second '# title'; use '##' for sections")
            title = match.group(2)
        elif match:
            sections.append((match.group(2), [], line_no))
        elif sections:
            sections[-1][1].append(line)
    if not title:
        problems.append(f"{rel}: missing '# title' line naming the document")
    if not sections:
        problems.append(f"{rel}: no '## section' found; each rule entry is a '## section'")
    parsed: list[RuleSection] = []
    seen: set[str] = set()
    for position, (name, body_lines, line_no) in enumerate(sections, 1):
        body = "\n".join(body_lines).strip()
        if not body:
            problems.append(f"{rel}, section '{name}' (line {line_no}): section has no text")
        if name in seen:
            problems.append(f"{rel}, section '{name}' (line {line_no}): duplicate section title")
        seen.add(name)
        parsed.append(RuleSection(title=name, body=body, position=position))
    return RuleDocument(title=title, sections=parsed) if title and parsed else None


def _load_rules(kb: KnowledgeBase, path: Path, problems: list[str]) -> None:
    rel = _rel(kb, path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(f"{rel}: not UTF-8 text")
        return
    document = parse_rules_markdown(text, rel, problems)
    if document is not None:
        kb.rules[rel] = document


def _load_banned_words(path: Path, rel: str, problems: list[str]) -> BannedWords | None:
    data = read_yaml(path, rel, problems)
    if data is None:
        return None
    return _validate(BannedWords, data, rel, problems)


def _check_related(kb: KnowledgeBase, problems: list[str]) -> None:
    for sku, (rel, product) in kb.products.items():
        for other in product.related:
            if other not in kb.products:
                problems.append(f"{rel} (sku {sku}): field 'related': unknown sku {other!r}")
