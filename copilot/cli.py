"""`copilot` command line: thin commands over the core; errors become a message and exit 1."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from copilot.config import load_settings
from copilot.errors import ConfigError, CopilotError, UnknownShopError
from copilot.index.sharing import ingesting
from copilot.knowledge.taxonomy import CHUNK_TYPES, INTENTS, STAGES
from copilot.schemas import OrderStatus

if TYPE_CHECKING:
    from rich.text import Text

# typer takes enums, not Literal lists
ChunkTypeChoice = Enum("ChunkTypeChoice", {name: name for name in CHUNK_TYPES}, type=str)
IntentChoice = Enum("IntentChoice", {name: name for name in INTENTS}, type=str)
StageChoice = Enum("StageChoice", {name: name for name in STAGES}, type=str)
OrderStatusChoice = Enum(
    "OrderStatusChoice", {name: name for name in get_args(OrderStatus)}, type=str
)

app = typer.Typer(help="Reply copilot for e-commerce customer service.", no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SinceOpt = Annotated[str | None, typer.Option("--since", help="Start, ISO date or time.")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="End (exclusive).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", help="File to write; default: print.")]
KnowledgeOpt = Annotated[
    Path | None, typer.Option("--knowledge", help="Knowledge directory [COPILOT_KNOWLEDGE_DIR].")
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Index and state directory [COPILOT_DATA_DIR].")
]
EmbeddingsOpt = Annotated[
    str | None, typer.Option("--embeddings", help="Embedding backend [COPILOT_EMBEDDINGS].")
]
ChromaUrlOpt = Annotated[
    str | None, typer.Option("--chroma-url", help="Chroma server URL [COPILOT_CHROMA_URL].")
]
ShopsDirOpt = Annotated[
    Path | None,
    typer.Option("--shops-dir", help="One knowledge directory per shop [COPILOT_SHOPS_DIR]."),
]
ShopOpt = Annotated[
    str | None, typer.Option("--shop", help="The shop (with a shops directory of several).")
]


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr; yields the (done, total) callback the core reports to."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _emit(text: str, output: Path | None) -> None:
    """Print a report, or write it to a file and say so."""
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}", highlight=False)


def _fail(exc: CopilotError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


@app.command()
def ingest(
    knowledge: KnowledgeOpt = None,
    data_dir: DataDirOpt = None,
    embeddings: EmbeddingsOpt = None,
    chroma_url: ChromaUrlOpt = None,
    shops_dir: ShopsDirOpt = None,
    shop: Annotated[
        list[str] | None,
        typer.Option("--shop", help="Only this shop of the shops directory (repeatable)."),
    ] = None,
) -> None:
    """Validate the knowledge directory and sync it into the index (only changes are written).

    With a shops directory every shop (or each --shop) is ingested into its own collection; a
    broken shop is reported by name and the others are still ingested (exit 1 at the end).
    """
    try:
        settings = load_settings(
            knowledge_dir=knowledge,
            data_dir=data_dir,
            embeddings=embeddings,
            chroma_url=chroma_url,
            shops_dir=shops_dir,
        )
        from copilot.container import CopilotFactory
        from copilot.shops import scan_shops, shop_settings

        if settings.shops_dir is None:
            if shop:
                raise ConfigError(
                    "--shop needs a shops directory (--shops-dir or COPILOT_SHOPS_DIR)"
                )
            shops = [settings.shop]
        else:
            served = scan_shops(settings.shops_dir)
            unknown = [name for name in shop or [] if name not in served]
            if unknown:
                raise UnknownShopError(
                    f"no shop {', '.join(map(repr, unknown))} in {settings.shops_dir} "
                    f"(shops: {', '.join(served) or 'none'})"
                )
            shops = list(dict.fromkeys(shop)) if shop else served
            if not shops:
                raise ConfigError(f"{settings.shops_dir} has no shop directory to ingest")
        with ExitStack() as held:
            if settings.chroma_url is None:  # an embedded index has one writer: no server
                if settings.shops_dir is None:  # a broken knowledge dir writes nothing
                    from copilot.knowledge import load_knowledge

                    load_knowledge(settings.knowledge_dir)
                held.enter_context(ingesting(settings.data_dir))
            factory = CopilotFactory(settings)
            failed = [
                name for name in shops if not _ingest_shop(factory, shop_settings(settings, name))
            ]
    except CopilotError as exc:
        raise _fail(exc) from exc
    if failed:
        err.print(f"[red]error:[/] not ingested: {', '.join(failed)}", highlight=False)
        raise typer.Exit(1)


def _ingest_shop(factory, settings) -> bool:
    """Ingest one shop and print what changed; False (with the reason) when it fails.

    A broken shop writes nothing: ingest validates all of its knowledge before syncing.
    """
    many = settings.shops_dir is not None
    label = f"shop {settings.shop}: " if many else ""
    try:
        copilot = factory.build(settings)
        with _progress(f"{label}embedding") as advance:
            report = copilot.ingest(advance)
    except CopilotError as exc:
        if not many:
            raise
        err.print(f"[red]error:[/] {label}{exc}", highlight=False)
        return False
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {label}{warning}", highlight=False)
    s = report.summary
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.chunks_by_type.items()))
    kinds = f": {kinds}" if kinds else " (drafts come from the built-in playbook)"
    out.print(
        f"{label}ingested {settings.knowledge_dir} into {copilot.store.where} ({s.backend}): "
        f"{s.added} added, {s.updated} updated, {s.deleted} deleted, {s.unchanged} unchanged"
        f"{' (rebuilt for a new embedding backend)' if s.rebuilt else ''}; "
        f"{s.total} chunks{kinds}",
        highlight=False,
    )
    return True


@app.command()
def shops(
    data_dir: DataDirOpt = None,
    chroma_url: ChromaUrlOpt = None,
    shops_dir: ShopsDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete the indexes of shops no longer in the dir.")
    ] = False,
) -> None:
    """The shops this deployment serves: chunks in each index, last ingest and health.

    Indexes left by removed shops are listed after them; --prune deletes them.
    """
    import time

    try:
        settings = load_settings(data_dir=data_dir, chroma_url=chroma_url, shops_dir=shops_dir)
        from copilot.container import build_hub

        hub = build_hub(settings)
        statuses = hub.status()
        with ExitStack() as held:
            if prune and settings.chroma_url is None:  # deleting writes: no server may read
                held.enter_context(ingesting(settings.data_dir))
            orphans = hub.prune() if prune else hub.orphans()
    except CopilotError as exc:
        raise _fail(exc) from exc
    for status in statuses:
        if as_json:
            typer.echo(json.dumps(status.__dict__, ensure_ascii=False))
            continue
        when = (
            time.strftime("%Y-%m-%d %H:%M", time.localtime(status.ingested_at))
            if status.ingested_at
            else "never"
        )
        chunks = "-" if status.chunks is None else str(status.chunks)
        health = status.problem or "ok"
        typer.echo(f"{status.shop}\t{chunks} chunks\tingested {when}\t{health}")
    if not statuses:
        err.print("no shops: COPILOT_SHOPS_DIR has no shop directory", highlight=False)
    for name in orphans:
        done = "deleted" if prune else "left by a removed shop (copilot shops --prune deletes it)"
        err.print(f"index {name}: {done}", highlight=False)


@app.command("import")
def import_(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Spreadsheets (.xlsx, .csv) and policy pages (.txt, .md) to import."),
    ],
    into: Annotated[
        Path, typer.Option("--into", help="Knowledge directory to write (created if missing).")
    ],
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="Which header means what, e.g. content=话术内容,group=分类 "
            "(fields: group, shortcut, content, question, similar, answer, product, sku, name, "
            "price, category, description).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite imported files edited by hand.")
    ] = False,
) -> None:
    """Make knowledge from a shop's quick phrases, Q&A sheets, product lists and policy pages.

    Writes scripts/imported-phrases.yaml, rules/imported-faq.md, products/imported-products.yaml
    and rules/imported-<page>.md under --into, ready to review and ingest. Quick phrases get an
    intent and stage from the trained model (tag low_confidence when unsure). Nothing is written
    when a file is bad; a file edited by hand is not overwritten without --force.
    """
    from copilot.onboarding.columns import parse_overrides
    from copilot.onboarding.importer import import_sources
    from copilot.onboarding.reading import banned_terms, phrase_reading

    try:
        classify, function_of = phrase_reading(load_settings())
        report = import_sources(
            sources,
            into,
            classify,
            banned_terms(into if into.is_dir() else None),
            parse_overrides(columns),
            force,
            function_of,
        )
    except CopilotError as exc:
        raise _fail(exc) from exc
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    for skipped in report.skipped:
        err.print(f"[yellow]skipped:[/] {skipped}", highlight=False)
    counts = ", ".join(f"{number} {kind}" for kind, number in report.counts.items())
    written = ", ".join(report.written) or "nothing"
    out.print(f"imported {counts} into {into}: wrote {written}", highlight=False)
    out.print(f"review the files, then: copilot ingest --knowledge {into}", highlight=False)


@app.command()
def train(
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Model file [copilot/understand/model/understanding.npz]."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Training data folder (utterances/, risk/, catalogs.yaml)."),
    ] = None,
    augment: Annotated[
        bool, typer.Option("--augment/--no-augment", help="Add chat-like variants (ablation).")
    ] = True,
    mask: Annotated[
        bool, typer.Option("--mask/--no-mask", help="Mask product words (ablation).")
    ] = True,
) -> None:
    """Train the intent, emotion and risk models from the labelled data and write the model file."""
    from copilot.index.embeddings.use_multilingual import UseMultilingualEmbeddings
    from copilot.understand.model import MODEL_PATH
    from copilot.understand.training import TrainOptions, train_model

    target = output or MODEL_PATH
    try:
        encoder = UseMultilingualEmbeddings(threads=1)  # one thread: the same bits every run
        model = train_model(
            encoder.encode,
            TrainOptions(augment=augment, mask=mask),
            data,
            progress=lambda step: err.print(f"{step}…", highlight=False),
        )
        model.save(target)
    except CopilotError as exc:
        raise _fail(exc) from exc
    meta = model.metadata
    cv = meta["cross_validation"]
    out.print(
        f"trained on {meta['rows']} utterances ({meta['examples']} with variants) and "
        f"{meta['risk_examples']} risk examples; wrote {target} "
        f"({target.stat().st_size / 1e6:.1f} MB)\n"
        f"cross-validated by category: intent {cv['intent_accuracy']:.3f}, emotion "
        f"{cv['emotion_accuracy']:.3f}, angry precision {cv['angry_precision']:.3f} / recall "
        f"{cv['angry_recall']:.3f}; escalation from P(angry) ≥ "
        f"{meta['thresholds']['escalate_angry']}",
        highlight=False,
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Customer question.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="Chunks to return.")] = 5,
    types: Annotated[
        list[ChunkTypeChoice] | None, typer.Option("--type", help="Chunk type (repeatable).")
    ] = None,
    sku: Annotated[
        str | None, typer.Option("--sku", help="Product in focus (ranked first).")
    ] = None,
    sku_only: Annotated[bool, typer.Option("--sku-only", help="Only chunks of --sku.")] = False,
    intent: Annotated[
        IntentChoice | None, typer.Option("--intent", help="Scripts of this intent.")
    ] = None,
    stage: Annotated[
        StageChoice | None, typer.Option("--stage", help="Scripts of this stage.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDirOpt = None,
    embeddings: EmbeddingsOpt = None,
    chroma_url: ChromaUrlOpt = None,
    shops_dir: ShopsDirOpt = None,
    shop: ShopOpt = None,
) -> None:
    """Print the ranked knowledge chunks for a question (id, type, source, score, text)."""
    if not query.strip():
        raise _fail(CopilotError("the query is empty; give the customer's question"))
    try:
        copilot = _shop_copilot(
            load_settings(
                data_dir=data_dir, embeddings=embeddings, chroma_url=chroma_url, shops_dir=shops_dir
            ),
            shop,
        )
        hits = copilot.search_knowledge(
            query,
            k,
            types=[t.value for t in types] if types else None,
            sku=sku,
            sku_only=sku_only,
            intent=intent.value if intent else None,
            stage=stage.value if stage else None,
        )
    except CopilotError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps([hit.model_dump() for hit in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        out.print("no matching knowledge")
    for rank, hit in enumerate(hits, 1):
        out.print(f"[bold]{rank}. {hit.id}[/]  {hit.type}  {hit.source}  score={hit.score:.4f}")
        out.print(f"   {hit.text}", highlight=False)


def _shop_copilot(settings, shop: str | None):
    """The Copilot of the named shop (or the only one) of the configured deployment."""
    from copilot.container import build_hub

    hub = build_hub(settings)
    return hub.get(hub.resolve(shop))


def _parse_turn(raw: str):
    from copilot.schemas import Turn

    role, sep, text = raw.partition(":")
    if not sep or role not in ("customer", "agent") or not text.strip():
        raise typer.BadParameter(f"{raw!r}: write a turn as customer:TEXT or agent:TEXT")
    return Turn(role=role, text=text.strip())


def _print_response(response) -> None:
    escalate = response.escalate
    out.print(
        f"[bold]{response.intent}[/] ({response.stage}, confidence {response.confidence:.2f})  "
        f"emotion={response.emotion}  "
        f"urgency={response.urgency}  mode={response.mode}  {response.latency_ms:.1f} ms",
        highlight=False,
    )
    if escalate.needed:
        out.print(f"[bold red]转人工:[/] {escalate.reason}", highlight=False)
    if response.flags:
        out.print(f"[yellow]flags:[/] {', '.join(response.flags)}", highlight=False)
    if response.knowledge_gap:
        out.print("[yellow]knowledge gap:[/] the knowledge does not answer this", highlight=False)
    for number, draft in enumerate(response.drafts, 1):
        out.print(f"\n[bold]{number}. {draft.strategy}[/]")
        out.print(f"   {draft.text}", highlight=False)
        for citation in draft.citations:
            out.print(f"   [dim]- {citation.id} ({citation.source})[/]", highlight=False)
        for hit in draft.compliance.removed:
            out.print(f"   [red]removed {hit.term} ({hit.category})[/]", highlight=False)


@app.command()
def draft(
    message: Annotated[str, typer.Argument(help="The customer's latest message.")],
    sku: Annotated[str | None, typer.Option("--sku", help="Product in focus.")] = None,
    history: Annotated[
        list[str] | None,
        typer.Option("--history", help="Earlier turn, oldest first: customer:TEXT or agent:TEXT."),
    ] = None,
    order_status: Annotated[
        OrderStatusChoice | None, typer.Option("--order-status", help="Status of the order.")
    ] = None,
    vip: Annotated[bool, typer.Option("--vip", help="The customer is a VIP.")] = False,
    n: Annotated[int, typer.Option("--n", min=1, max=3, help="Drafts wanted.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON response.")] = False,
    knowledge: KnowledgeOpt = None,
    data_dir: DataDirOpt = None,
    embeddings: EmbeddingsOpt = None,
    chroma_url: ChromaUrlOpt = None,
    shops_dir: ShopsDirOpt = None,
    shop: ShopOpt = None,
) -> None:
    """Draft replies to a customer's message, as POST /v1/drafts would."""
    from pydantic import ValidationError

    from copilot.schemas import DraftRequest

    try:
        request = DraftRequest(
            message=message,
            sku=sku,
            history=[_parse_turn(turn) for turn in history or []],
            order={"status": order_status.value} if order_status else None,
            customer={"tier": "vip"} if vip else None,
            n=n,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _fail(CopilotError(f"invalid request: {problems}")) from exc
    try:
        copilot = _shop_copilot(
            load_settings(
                knowledge_dir=knowledge,
                data_dir=data_dir,
                embeddings=embeddings,
                chroma_url=chroma_url,
                shops_dir=shops_dir,
            ),
            shop,
        )
        response = copilot.draft(request)
    except CopilotError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
    else:
        _print_response(response)


def _highlighted(text: str, hits) -> Text:
    from rich.text import Text

    shown = Text(text)
    for hit in hits:
        style = "bold white on red" if hit.severity == "block" else "bold black on yellow"
        shown.stylize(style, hit.start, hit.end)
    return shown


@app.command()
def check(
    text: Annotated[str, typer.Argument(help="Text to check, e.g. a reply you wrote.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 3 when a block-severity term is found.")
    ] = False,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Check a text against the lexicon: spans highlighted, explanations, a cleaned version."""
    from copilot.compliance.guard import ComplianceGuard
    from copilot.compliance.lexicon import load_lexicon

    if not text.strip():
        raise _fail(CopilotError("the text is empty; give the reply to check"))
    try:
        settings = load_settings(knowledge_dir=knowledge)
        result = ComplianceGuard(load_lexicon(settings.knowledge_dir)).check(text)
    except CopilotError as exc:
        raise _fail(exc) from exc
    if as_json:
        payload = {
            "passed": result.passed,
            "hits": [hit.model_dump() for hit in result.hits],
            "cleaned": result.cleaned,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out.print(_highlighted(text, result.hits))
        verdict = "[green]passed[/]" if result.passed else "[bold red]not compliant[/]"
        out.print(f"{verdict}: {len(result.hits)} hit(s)")
        for hit in result.hits:
            fix = f" → {hit.replacement}" if hit.replacement else ""
            out.print(
                f"  [{hit.start}:{hit.end}] {hit.matched} ({hit.term}) {hit.category} "
                f"{hit.severity}{fix}\n    {hit.explanation}",
                highlight=False,
            )
        if not result.passed:
            out.print(f"cleaned: {result.cleaned}", highlight=False)
    if strict and not result.passed:
        raise typer.Exit(code=3)


@app.command()
def reload(
    url: Annotated[
        str, typer.Option("--url", help="Base URL of the running server.")
    ] = "http://127.0.0.1:8000",
    shop: ShopOpt = None,
) -> None:
    """Make a running server re-read the lexicon and the shop's banned words now."""
    import httpx

    params = {"shop": shop} if shop else None
    try:
        response = httpx.post(
            f"{url.rstrip('/')}/v1/compliance/reload", json={}, params=params, timeout=30
        )
    except httpx.HTTPError as exc:
        raise _fail(CopilotError(f"cannot reach the server at {url}: {exc}")) from exc
    if response.status_code != 200:
        detail = response.json().get("detail", response.text) if response.content else ""
        raise _fail(CopilotError(f"reload failed (HTTP {response.status_code}): {detail}"))
    body = response.json()
    kinds = ", ".join(f"{name} {count}" for name, count in body["categories"].items())
    out.print(f"reloaded {body['terms']} terms: {kinds}", highlight=False)


EvalMode = Enum("EvalMode", {"offline": "offline", "llm": "llm"}, type=str)


@app.command("eval")
def eval_command(
    golden: Annotated[
        Path | None, typer.Option("--golden", help="Golden file or folder [eval/golden].")
    ] = None,
    knowledge: KnowledgeOpt = None,
    mode: Annotated[
        EvalMode, typer.Option("--mode", help="Draft offline or with the configured LLM.")
    ] = EvalMode.offline,
    url: Annotated[
        str | None, typer.Option("--url", help="Score a running server instead (its base URL).")
    ] = None,
    report: Annotated[
        Path, typer.Option("--report", help="Folder for report.json and report.html.")
    ] = Path("eval-report"),
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Earlier report.json: exit 1 on a regression."),
    ] = None,
    thresholds: Annotated[
        Path | None, typer.Option("--thresholds", help="Tolerances [eval/thresholds.yaml].")
    ] = None,
    judge: Annotated[
        bool, typer.Option("--judge", help="Also score with the LLM-as-judge rubric.")
    ] = False,
    loco: Annotated[
        bool,
        typer.Option("--loco", help="Also run leave-one-category-out (trains 17 models, minutes)."),
    ] = False,
    shops: Annotated[
        bool,
        typer.Option(
            "--shops", help="Score every shop of the shops file, each gated on its own floors."
        ),
    ] = False,
    shop: Annotated[
        list[str] | None,
        typer.Option("--shop", help="With --shops: only this shop (repeatable)."),
    ] = None,
    shops_file: Annotated[
        Path | None, typer.Option("--shops-file", help="Shops and their gates [eval/shops.yaml].")
    ] = None,
    data_dir: DataDirOpt = None,
    embeddings: EmbeddingsOpt = None,
) -> None:
    """Score drafts against the golden set; write report.json and report.html."""
    from copilot.evaluation.suite import evaluate

    if shops or shop:
        _eval_shops(shops_file, shop, report, data_dir, embeddings)
        return
    try:
        settings = load_settings(knowledge_dir=knowledge, data_dir=data_dir, embeddings=embeddings)
        with _progress("eval") as advance:
            result = evaluate(
                settings,
                golden=golden,
                mode=mode.value,
                url=url,
                report_dir=report,
                baseline=baseline,
                thresholds=thresholds,
                judge=judge,
                progress=advance,
                loco=loco,
            )
    except CopilotError as exc:
        raise _fail(exc) from exc
    metrics = result.report.metrics
    out.print(f"{result.report.cases} cases against {result.report.target}", highlight=False)
    for name, value in metrics.items():
        shown = "–" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")
        out.print(f"  {name:<24} {shown}", highlight=False)
    if result.paths:
        out.print(f"reports: {result.paths[0]} {result.paths[1]}", highlight=False)
    if result.regressions:
        err.print("[bold red]regressions against the baseline:[/]")
        for problem in result.regressions:
            err.print(f"  - {problem}", highlight=False)
        raise typer.Exit(code=1)
    if baseline is not None:
        out.print("gate: no regression against the baseline", highlight=False)


SHOP_COLUMNS = (
    ("drafted", "drafted"),
    ("fact_coverage", "facts"),
    ("relevance", "relevant"),
    ("empathy", "empathy"),
    ("gap_precision", "gap P"),
    ("gap_recall", "gap R"),
    ("grounding", "grounded"),
    ("intent_accuracy", "intent"),
    ("compliance_violations", "violations"),
    ("playbook_specifics", "specifics"),
)


def _eval_shops(
    shops_file: Path | None,
    names: list[str] | None,
    report: Path,
    data_dir: Path | None,
    embeddings: str | None,
) -> None:
    """Every shop scored on its own golden set; exit 1 when one is below a floor."""
    from copilot.evaluation.shops import SHOPS_FILE, evaluate_shops, load_shops

    try:
        settings = load_settings(data_dir=data_dir, embeddings=embeddings)
        entries = load_shops(shops_file or SHOPS_FILE)
        with _progress("eval") as advance:
            results = evaluate_shops(settings, entries, names, report, advance)
    except CopilotError as exc:
        raise _fail(exc) from exc
    width = max(len(r.name) for r in results) if results else 4
    header = "".join(f"{label:>11}" for _, label in SHOP_COLUMNS)
    out.print(f"{'shop':<{width}} {'cases':>5}{header}", highlight=False)
    for result in results:
        metrics = result.report.metrics
        cells = "".join(
            f"{'–' if metrics.get(m) is None else f'{metrics[m]:.3f}':>11}" for m, _ in SHOP_COLUMNS
        )
        out.print(f"{result.name:<{width}} {result.report.cases:>5}{cells}", highlight=False)
    for result in results:
        if result.below_target:
            out.print(
                f"{result.name}: below target: {', '.join(result.below_target)}", highlight=False
            )
    out.print(f"reports: {report}/<shop>/report.html", highlight=False)
    problems = [p for result in results for p in result.problems]
    if problems:
        err.print("[bold red]shops below their gate:[/]")
        for problem in problems:
            err.print(f"  - {problem}", highlight=False)
        raise typer.Exit(code=1)
    out.print(f"gate: every shop at or above its floors ({len(results)} shops)", highlight=False)


ReportFormat = Enum("ReportFormat", {"html": "html", "csv": "csv"}, type=str)


def _day(value: str | None, name: str) -> float | None:
    from datetime import datetime

    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError as exc:
        raise typer.BadParameter(f"{name} {value!r}: use an ISO date like 2026-11-01") from exc


@app.command()
def report(
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html or csv.")] = ReportFormat.html,
    output: OutputOpt = None,
    data_dir: DataDirOpt = None,
    shops_dir: ShopsDirOpt = None,
    shop: Annotated[
        list[str] | None, typer.Option("--shop", help="Only this shop's traffic (repeatable).")
    ] = None,
) -> None:
    """Analytics from agents' feedback: acceptance per intent, knowledge gaps, compliance hits."""
    from copilot.feedback.report import render_csv, render_html

    start, end = _day(since, "--since"), _day(until, "--until")
    try:
        from copilot.container import build_hub

        hub = build_hub(load_settings(data_dir=data_dir, shops_dir=shops_dir))
        chosen = [hub.resolve(name) for name in shop or []]
        analytics = hub.analytics(chosen if chosen and hub.many else None, start, end)
    except CopilotError as exc:
        raise _fail(exc) from exc
    text = render_csv(analytics) if fmt.value == "csv" else render_html(analytics)
    _emit(text, output)


CoverageFormat = Enum("CoverageFormat", {"text": "text", "html": "html", "csv": "csv"}, type=str)


@app.command()
def coverage(
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: Annotated[
        CoverageFormat, typer.Option("--format", help="text, html or csv.")
    ] = CoverageFormat.text,
    output: OutputOpt = None,
    knowledge: KnowledgeOpt = None,
    data_dir: DataDirOpt = None,
    shops_dir: ShopsDirOpt = None,
    shop: ShopOpt = None,
) -> None:
    """What the shop's knowledge answers, what the built-in playbook covers, what to write next."""
    from copilot.onboarding.coverage import render_csv, render_html, render_text

    start, end = _day(since, "--since"), _day(until, "--until")
    try:
        from copilot.container import build_hub

        settings = load_settings(knowledge_dir=knowledge, data_dir=data_dir, shops_dir=shops_dir)
        hub = build_hub(settings)
        result = hub.get(hub.resolve(shop)).coverage(start, end)
    except CopilotError as exc:
        raise _fail(exc) from exc
    render = {"text": render_text, "csv": render_csv, "html": render_html}[fmt.value]
    text = render(result)
    _emit(text, output)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Bind address [COPILOT_HOST].")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port [COPILOT_PORT].")] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Worker processes (one per core).")
    ] = 1,
    knowledge: KnowledgeOpt = None,
    data_dir: DataDirOpt = None,
    embeddings: EmbeddingsOpt = None,
    chroma_url: ChromaUrlOpt = None,
    shops_dir: ShopsDirOpt = None,
) -> None:
    """Serve the HTTP API (run `copilot ingest` first)."""
    import uvicorn

    from copilot.api.telemetry import LOG_CONFIG

    overrides = {
        "host": host,
        "port": port,
        "knowledge_dir": knowledge.resolve() if knowledge else None,
        "data_dir": data_dir.resolve() if data_dir else None,
        "embeddings": embeddings,
        "chroma_url": chroma_url,
        "shops_dir": shops_dir.resolve() if shops_dir else None,
    }
    try:
        settings = load_settings(**overrides)
        settings.check_exposure()
    except CopilotError as exc:
        raise _fail(exc) from exc
    if workers == 1:
        from copilot.api.app import create_app

        uvicorn.run(
            create_app(settings=settings),
            host=settings.host,
            port=settings.port,
            log_config=LOG_CONFIG,
            access_log=False,
        )
        return
    # each worker process builds its own app from the environment: pass the flags on there
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"COPILOT_{name.upper()}"] = str(value)
    os.environ.setdefault("COPILOT_EMBEDDING_THREADS", "1")
    uvicorn.run(
        "copilot.api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=LOG_CONFIG,
        access_log=False,
    )


def main() -> None:
    """Console-script entry point."""
    app()
