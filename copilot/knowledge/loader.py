"""Load and validate a knowledge directory; every problem names its file, entry and field."""

import logging
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from copilot.errors import KnowledgeError
from copilot.knowledge.models import BannedWords, Product, RuleDocument, RuleSection, Script

log = logging.getLogger(__name__)

BANNED_WORDS_FILE = "compliance/banned_words.yaml"
PLAYBOOK_FILE = "playbook.yaml"
# the largest knowledge file read: bigger ones are a mistake (an export, a binary) to split
MAX_FILE_BYTES = 5_000_000


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
        kb.banned_words = _load_banned_words(banned, BANNED_WORDS_FILE, problems, root)
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
            kb.warnings.append(f"{_rel(kb, path)}: not a knowledge file, ignored")
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


def shown(name: str) -> str:
    """A file name as a message shows it: a newline in a name cannot add lines to the output."""
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in name)


def read_text(path: Path, rel: str, problems: list[str], root: Path | None = None) -> str | None:
    """A knowledge file's UTF-8 text, or None with the problem recorded.

    Refused without reading: a symlink leading out of the knowledge directory, anything but a
    regular file (a FIFO would hang the ingest, a device never end), a file over MAX_FILE_BYTES.
    """
    try:
        if root is not None and not path.resolve().is_relative_to(Path(root).resolve()):
            problems.append(
                f"{rel}: a link to {shown(str(path.resolve()))}, outside the knowledge directory; "
                "copy the file in instead"
            )
            return None
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.append(f"{rel}: not a regular file (a pipe, device or directory); remove it")
            return None
        if info.st_size > MAX_FILE_BYTES:
            problems.append(
                f"{rel}: {info.st_size / 1e6:.1f} MB, more than the {MAX_FILE_BYTES / 1e6:.0f} MB "
                "a knowledge file may have; split it into several files"
            )
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(f"{rel}: not UTF-8 text")
    except OSError as exc:
        problems.append(f"{rel}: cannot be read ({exc.strerror or exc})")
    return None


def read_yaml(path: Path, rel: str, problems: list[str], root: Path | None = None):
    """A YAML file's data, or None with the problem (UTF-8, syntax and its line) recorded."""
    text = read_text(path, rel, problems, root)
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
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
    return shown(path.relative_to(kb.root).as_posix())


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
    data = read_yaml(path, rel, problems, kb.root)
    for number, raw in enumerate(_entries(data, rel, problems), 1):
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
    text = read_text(path, rel, problems, kb.root)
    if text is None:
        return
    document = parse_rules_markdown(text, rel, problems)
    if document is not None:
        kb.rules[rel] = document


def _load_banned_words(path: Path, rel: str, problems: list[str], root: Path) -> BannedWords | None:
    data = read_yaml(path, rel, problems, root)
    if data is None:
        return None
    return _validate(BannedWords, data, rel, problems)


def _check_related(kb: KnowledgeBase, problems: list[str]) -> None:
    for sku, (rel, product) in kb.products.items():
        for other in product.related:
            if other not in kb.products:
                problems.append(f"{rel} (sku {sku}): field 'related': unknown sku {other!r}")
