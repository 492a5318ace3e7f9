"""Knowledge from what a shop already has: quick phrases, Q&A sheets, product lists, policy pages.

The result is knowledge in the documented format, written as whole files under the target
directory: scripts/imported-phrases.yaml, rules/imported-faq.md, products/imported-products.yaml,
rules/imported-<page>.md, and rules/imported-phrases.md (the quick phrases that state facts, so
drafts can quote them). Everything is built and validated first; then each file is
written whole (a temporary file renamed into place). A file that a person edited since the last
import is not overwritten without force (the hashes of what was written are kept in
.copilot-import.json).
"""

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from copilot.errors import KnowledgeError
from copilot.knowledge.loader import load_knowledge, shown
from copilot.knowledge.taxonomy import INTENT_STAGES
from copilot.onboarding.columns import kind_of, mapping
from copilot.onboarding.sheets import Table, read_tables

MANIFEST = ".copilot-import.json"
PHRASES_FILE = "scripts/imported-phrases.yaml"
FAQ_FILE = "rules/imported-faq.md"
PRODUCTS_FILE = "products/imported-products.yaml"
SHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")
TEXT_SUFFIXES = (".txt", ".md")
# a stage named in a quick phrase's group (售后 → aftersale) wins over the classifier's guess
STAGE_WORDS = {
    "presale": ("售前", "咨询", "欢迎", "活动", "优惠"),
    "insale": ("售中", "发货", "物流", "快递", "催单"),
    "aftersale": ("售后", "退", "换", "维修", "保修", "投诉"),
}
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# (text) -> (intent, stage, confidence, sure)
Classifier = Callable[[str], tuple[str, str, float, bool]]
# (text) -> the block terms in it, as "term (category)"
BannedCheck = Callable[[str], list[str]]
# (text, intent) -> what the phrase does in a conversation: "knowledge_gap" (the shop's own "I'll
# check and reply"), "closing" (a goodbye), or None for a phrase that answers something
FunctionOf = Callable[[str, str], str | None]


@dataclass
class ImportReport:
    """What an import wrote, left alone and warns about."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


# phrases that say how to feel, not what is true: kept as scripts only
SAYING_ONLY_INTENTS = ("greeting",)
APOLOGY_MARKERS = ("抱歉", "对不起", "不好意思", "久等", "感谢您的耐心")
PHRASE_FACTS_FILE = "rules/imported-phrases.md"


@dataclass
class _Built:
    scripts: list[tuple[str, dict]] = field(default_factory=list)  # (comment, entry)
    phrase_facts: list[tuple[str, str]] = field(default_factory=list)  # (title, text)
    products: dict[str, dict] = field(default_factory=dict)
    faq: list[tuple[str, str, list[str]]] = field(default_factory=list)  # question, answer, similar
    pages: dict[str, str] = field(default_factory=dict)  # relative path -> markdown


# what a group of quick phrases is for, in the names workbenches give them (欢迎语, 结束语):
# the agents' own grouping says it better than a model reading one phrase
GROUP_FUNCTIONS = {"opening": ("欢迎", "问候", "开场"), "closing": ("结束", "告别", "道别")}
# a phrase's first clause is its title, unless it is a form of address (亲, 您好)
MIN_TITLE_CHARS = 3


def _named_by_group(group: str, names: dict[str, tuple[str, ...]]) -> str | None:
    """The first key whose words the agents' group name uses (售后 → aftersale, 欢迎 → opening)."""
    return next((key for key, words in names.items() if any(w in group for w in words)), None)


def _title(text: str) -> str:
    """A rule section's title for a phrase: its first clause that says something."""
    clauses = [c.strip() for c in re.split(r"[，。！？,!?；;～~]", text) if c.strip()]
    telling = [c for c in clauses if len(c) >= MIN_TITLE_CHARS]
    return (telling or clauses or [text])[0][:24]


def _phrases(
    table: Table, columns, built: _Built, classify, banned, report, function_of=None
) -> None:
    used = {entry["id"] for _, entry in built.scripts}
    for number, row in table.rows:
        text = row.get(columns["content"], "")
        where = f"{table.source}, row {number}"
        if not text:
            report.warnings.append(f"{where}: no phrase text, skipped")
            continue
        group = row.get(columns.get("group", ""), "")
        shortcut = row.get(columns.get("shortcut", ""), "")
        intent, stage, confidence, sure = classify(text)
        function = _named_by_group(group, GROUP_FUNCTIONS)
        if function:  # the agents' own group: a greeting or goodbye, whatever the model read
            intent, sure = "greeting", True
        elif function_of:
            function = function_of(text, intent)
        if function == "knowledge_gap":
            intent = "other"  # it answers no intent: drafts use it wherever the knowledge has none
        grouped = _named_by_group(group, STAGE_WORDS)
        if grouped and grouped not in INTENT_STAGES.get(intent, (grouped,)):
            sure = False  # the model's intent does not occur in the group's stage: check it
        stage = grouped or stage
        base = f"imported-{shortcut}" if shortcut and _SKU.match(shortcut) else "imported-phrase"
        identifier, counter = base, 1
        while identifier in used:
            counter += 1
            identifier = f"{base}-{counter}"
        used.add(identifier)
        tags = ["imported"] + ([] if sure else ["low_confidence"])
        if function:
            tags.append(function)
        for term in banned(text):
            tags.append("banned_term")
            report.warnings.append(f"{where}: uses the banned term {term}; fix it at the source")
        if (
            not function
            and intent not in SAYING_ONLY_INTENTS
            and not any(m in text for m in APOLOGY_MARKERS)
        ):
            # shops keep facts in quick phrases (满199减20, 水温80度): quotable as facts too
            built.phrase_facts.append((_title(text), text))
        comment = f"{where} · 分组 {group or '-'} · 意图置信度 {confidence:.2f}"
        if function:
            comment += f" · 用途 {function}"
        entry = {"id": identifier, "intent": intent, "stage": stage, "text": text, "tags": tags}
        built.scripts.append((comment, entry))


def _products(table: Table, columns, built: _Built, banned, report) -> None:
    known = set(columns.values())
    for number, row in table.rows:
        where = f"{table.source}, row {number}"
        sku, name = row.get(columns["sku"], ""), row.get(columns["name"], "")
        if not sku or not name:
            raise KnowledgeError([f"{where}: a product needs both a sku and a name"])
        if not _SKU.match(sku):
            raise KnowledgeError(
                [f"{where}: sku '{shown(sku)}' may only hold letters, digits, . _ -"]
            )
        if sku in built.products:
            raise KnowledgeError([f"{where}: duplicate sku '{sku}' (already in this import)"])
        product: dict = {"sku": sku, "name": name}
        if columns.get("category") and row.get(columns["category"]):
            product["category"] = row[columns["category"]]
        price = row.get(columns.get("price", ""), "")
        if price:
            try:
                value = float(price.replace("¥", "").replace("元", "").replace(",", ""))
            except ValueError:
                raise KnowledgeError([f"{where}: price '{shown(price)}' is not a number"]) from None
            if not 0 <= value < float("inf"):
                raise KnowledgeError([f"{where}: price '{shown(price)}' is not a price"])
            product["price"] = int(value) if value.is_integer() else value
        attributes = {h: v for h, v in row.items() if h not in known and v}
        if attributes:
            product["attributes"] = attributes
        if columns.get("description") and row.get(columns["description"]):
            product["description"] = row[columns["description"]]
        for term in banned(" ".join(str(v) for v in row.values())):
            report.warnings.append(f"{where}: uses the banned term {term}; fix it at the source")
        built.products[sku] = product


def _products_named(product: str, products: dict[str, dict]) -> list[str]:
    """The skus a Q&A row's product column may mean: a sku, a name, or part of names.

    Q&A sheets often name a product shorter than the product list does (海南贵妃芒 for 海南贵妃芒
    5斤装); the row belongs to a product only when exactly one is meant.
    """
    if not product:
        return []
    if product in products:
        return [product]
    exact = [sku for sku, p in products.items() if p["name"] == product]
    return exact or sorted(sku for sku, p in products.items() if product in p["name"])


def _qa(table: Table, columns, built: _Built, banned, report) -> None:
    for number, row in table.rows:
        where = f"{table.source}, row {number}"
        question, answer = row.get(columns["question"], ""), row.get(columns["answer"], "")
        if not question or not answer:
            report.warnings.append(f"{where}: a question needs its answer, skipped")
            continue
        similar = [
            s.strip() for s in re.split(r"[\n|｜;；]", row.get(columns.get("similar", ""), ""))
        ]
        similar = [s for s in similar if s]
        for term in banned(answer):
            report.warnings.append(f"{where}: uses the banned term {term}; fix it at the source")
        product = row.get(columns.get("product", ""), "")
        named = _products_named(product, built.products)
        if len(named) == 1:
            faq = built.products[named[0]].setdefault("faq", [])
            asked = "；".join([question, *similar]) if similar else question
            faq.append({"q": asked, "a": answer})
        else:
            if len(named) > 1:
                report.warnings.append(
                    f"{where}: product '{shown(product)}' names {len(named)} imported products "
                    f"({', '.join(named)}); kept as shop FAQ"
                )
            elif product:
                report.warnings.append(
                    f"{where}: product '{shown(product)}' is not in this import; kept as shop FAQ"
                )
            built.faq.append((question, answer, similar))


def _policy(path: Path, built: _Built, report) -> None:
    text = path.read_text(encoding="utf-8-sig")
    title = path.stem
    sections: list[tuple[str, list[str]]] = []
    headings = re.compile(r"^#{1,3}\s+(.+?)\s*#*$")
    if any(headings.match(line) for line in text.splitlines()):
        for line in text.splitlines():
            match = headings.match(line)
            if match and line.startswith("# ") and not sections:
                title = match.group(1)
            elif match:
                sections.append((match.group(1), []))
            elif sections:
                sections[-1][1].append(line)
    else:
        paragraphs = re.split(r"\n\s*\n", text.strip())
        if paragraphs and "\n" not in paragraphs[0].strip() and len(paragraphs[0].strip()) <= 30:
            title = paragraphs.pop(0).strip()  # a short first line alone is the page's title
        for number, paragraph in enumerate(paragraphs, 1):
            lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
            if not lines:
                continue
            first = lines[0].rstrip("：:")
            if len(lines) > 1 and len(first) <= 20 and not re.search(r"[。！？]$", first):
                sections.append((first, lines[1:]))
            else:
                sections.append((f"第{number}条", lines))
    sections = [(name, body) for name, body in sections if "\n".join(body).strip()]
    if not sections:
        report.warnings.append(f"{shown(path.name)}: no text to import, skipped")
        return
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")
    slug = slug or "page-" + hashlib.sha256(path.stem.encode("utf-8")).hexdigest()[:8]
    body = "".join(f"\n## {name}\n\n" + "\n".join(lines).strip() + "\n" for name, lines in sections)
    built.pages[f"rules/imported-{slug}.md"] = f"# {title}\n{body}"


def _render(built: _Built) -> dict[str, str]:
    """The files to write, as text."""
    files: dict[str, str] = {}
    if built.scripts:
        parts = [
            "# 由 copilot import 从快捷短语导入：请核对意图和阶段（low_confidence 的尤其要看）\n"
        ]
        for comment, entry in built.scripts:
            parts.append(f"# {comment}\n")
            parts.append(yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000))
        files[PHRASES_FILE] = "".join(parts)
    if built.phrase_facts:
        seen: set[str] = set()
        sections = []
        for title, text in built.phrase_facts:
            while title in seen:  # section titles are unique in a rules file
                title += "（续）"
            seen.add(title)
            sections.append(f"\n## {title}\n\n{text}\n")
        files[PHRASE_FACTS_FILE] = "# 快捷短语里的店铺信息（由 copilot import 导入）\n" + "".join(
            sections
        )
    if built.products:
        header = "# 由 copilot import 从商品表导入：请核对属性\n"
        dumped = yaml.safe_dump(
            list(built.products.values()), allow_unicode=True, sort_keys=False, width=1000
        )
        files[PRODUCTS_FILE] = header + dumped
    if built.faq:
        sections = []
        for question, answer, similar in built.faq:
            # similar phrasings join the title: found by retrieval, never quoted in a draft
            title = " / ".join([question, *similar])
            sections.append(f"\n## {title}\n\n{answer}\n")
        files[FAQ_FILE] = "# 常见问题（由 copilot import 从问答表导入）\n" + "".join(sections)
    files.update(built.pages)
    return files


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def import_sources(
    sources: list[Path],
    into: Path,
    classify: Classifier,
    banned: BannedCheck,
    overrides: dict[str, str] | None = None,
    force: bool = False,
    function_of: FunctionOf | None = None,
) -> ImportReport:
    """Build knowledge from the sources and write it under `into` (see the module docstring).

    function_of: recognises the quick phrases that promise to check or say goodbye (tagged
    knowledge_gap or closing, so drafts use them for that and never as an answer).
    """
    overrides = overrides or {}
    report = ImportReport()
    built = _Built()
    tables: list[tuple[str, Table]] = []
    for source in sources:
        if not source.is_file():
            raise KnowledgeError([f"{shown(str(source))}: no such file"])
        suffix = source.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            try:
                _policy(source, built, report)
            except UnicodeDecodeError:
                raise KnowledgeError([f"{shown(source.name)}: not UTF-8 text"]) from None
        elif suffix in SHEET_SUFFIXES:
            tables += [(kind_of(t, overrides), t) for t in read_tables(source)]
        else:
            raise KnowledgeError(
                [f"{shown(source.name)}: import reads .csv, .xlsx, .txt and .md files"]
            )
    order = {"products": 0, "qa": 1, "phrases": 2}  # products first: Q&A rows attach to them
    for kind, table in sorted(tables, key=lambda item: order[item[0]]):
        columns = mapping(table, kind, overrides)
        if table.skipped_empty:
            report.warnings.append(f"{table.source}: {table.skipped_empty} empty row(s) skipped")
        if kind == "phrases":
            _phrases(table, columns, built, classify, banned, report, function_of)
        elif kind == "products":
            _products(table, columns, built, banned, report)
        else:
            _qa(table, columns, built, banned, report)
    files = _render(built)
    _check(files, into)
    _write(files, into, force, report)
    report.counts = {
        "scripts": len(built.scripts),
        "products": len(built.products),
        "faq": len(built.faq) + sum(len(p.get("faq", [])) for p in built.products.values()),
        "policy_pages": len(built.pages),
        "phrase_facts": len(built.phrase_facts),
    }
    return report


def _check(files: dict[str, str], into: Path) -> None:
    """The knowledge the directory would hold afterwards must load: else nothing is written."""
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "knowledge"
        if into.is_dir():
            import shutil

            shutil.copytree(into, trial, symlinks=True)
        for relative, text in files.items():
            target = trial / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        trial.mkdir(parents=True, exist_ok=True)
        load_knowledge(trial)


def _write(files: dict[str, str], into: Path, force: bool, report: ImportReport) -> None:
    manifest_path = into / MANIFEST
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else {}
    for relative, text in files.items():
        target = into / relative
        if target.exists() and not force:
            current = _digest(target.read_text(encoding="utf-8", errors="replace"))
            if manifest.get(relative) != current:
                report.skipped.append(
                    f"{relative}: edited by hand since it was imported (or not written by an "
                    "import); not overwritten, use --force to replace it"
                )
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.importing")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
        manifest[relative] = _digest(text)
        report.written.append(relative)
    into.mkdir(parents=True, exist_ok=True)
    temporary = manifest_path.with_name(f".{manifest_path.name}.importing")
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, manifest_path)
