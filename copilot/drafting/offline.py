"""The offline drafter: natural replies composed from the shop's scripts and the retrieved facts.

Each strategy builds a whole reply from pieces (opener, order context, fact, script, closing);
every factual piece comes from a cited chunk or the request itself, never from this module.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from copilot.datafiles import package_yaml
from copilot.drafting.context import Candidate, DraftContext, Fact, cite
from copilot.drafting.facts import draft_sentences, finish
from copilot.drafting.grounding import tags
from copilot.drafting.order_truth import keep_to_the_order
from copilot.knowledge.models import Chunk
from copilot.schemas import Citation, Draft

GREETING_MARKERS = ("您好", "你好", "亲", "欢迎", "在的", "早上好", "下午好", "晚上好", "哈喽")
# a script must be clearly more relevant than the best fact to be the direct answer
SCRIPT_MARGIN = 0.05
PROBLEM_INTENTS = frozenset({"quality_issue", "complaint"})
# questions about a product, whose general playbook move asks what the customer wants to know
QUESTION_INTENTS = frozenset({"product_info", "size_advice"})
# flags of a message that asks the copilot to break its rules (override them, play the owner):
# answered like bait (and so no knowledge gap), refused politely, never apologised for
REFUSED_BAIT = frozenset({"prompt_injection"})
DUPLICATE_OVERLAP = 0.6
# a sentence this much inside an earlier one (its character bigrams) adds nothing to it
CONTAINED = 0.8


def load_phrasing() -> dict:
    """The drafter's phrases (data/phrasing.yaml)."""
    return package_yaml("copilot.drafting", "phrasing.yaml")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def overlap(a: str, b: str) -> float:
    """Share of character bigrams two texts have in common (Jaccard)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def contained(a: str, b: str) -> float:
    """Share of a's character bigrams that b has: 1.0 when b already says all of a."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x) if x and y else 0.0


def repeats(sentence: str, said: str) -> bool:
    """Whether a sentence says again what an earlier one said, in near words or as part of it.

    还没发货的订单可以改地址。 after 还没发货的订单可以改地址，您把新地址发我… adds nothing.
    """
    return overlap(sentence, said) > DUPLICATE_OVERLAP or contained(sentence, said) >= CONTAINED


@dataclass
class _Reply:
    """A reply being assembled: sentences and the chunks they came from."""

    strategy: str
    product: Chunk | None = None  # the product in focus, cited when a move names it
    parts: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def add(
        self, text: str | None, chunk: Chunk | None = None, also: tuple[Chunk, ...] = ()
    ) -> None:
        """Append a piece, without the sentences the reply has already said (in near words).

        chunk: where it comes from; also: the further sources it names (products listed).
        """
        if not text:
            return
        if any(overlap(text, part) > DUPLICATE_OVERLAP for part in self.parts):
            return
        said = [sentence for part in self.parts for sentence in draft_sentences(part)]
        text = "".join(
            sentence
            for sentence in draft_sentences(text)
            if not any(repeats(sentence, old) for old in said)
        )
        if not text.strip("。！？!?；;～，, \n"):
            return
        self.parts.append(text)
        self._cite(chunk, text)
        for source in also:
            self._cite(source, source.title)
        if chunk is not None and chunk.type == "playbook" and chunk.sku and self.product:
            self._cite(self.product, self.product.title)  # the move's {product} came from here

    def _cite(self, chunk: Chunk | None, text: str) -> None:
        if chunk is not None and all(c.id != chunk.id for c in self.citations):
            self.citations.append(cite(chunk, text))

    def draft(self) -> Draft:
        return Draft(text="".join(self.parts), strategy=self.strategy, citations=self.citations)


def _same_answers(candidates: list[Candidate]) -> list[tuple[str, list[Chunk]]]:
    """Candidates' answers, each with the knowledge it came from.

    What several products share is said once under all their names (奶粉1段、奶粉2段的奶源是…).
    """
    groups: dict[str, tuple[list[str], list[Chunk]]] = {}
    for candidate in candidates:
        title = candidate.product.title
        said = candidate.answer.replace(title, "\0", 1)
        names, sources = groups.setdefault(said, ([], []))
        names.append(title)
        sources.append(candidate.source)
    return [
        (said.replace("\0", "、".join(names)), sources) for said, (names, sources) in groups.items()
    ]


class OfflineDrafter:
    """Drafts without an LLM, in milliseconds."""

    name = "offline"

    def __init__(self, phrasing: dict | None = None):
        self.phrasing = phrasing or load_phrasing()
        self.labels: dict[str, str] = self.phrasing["strategies"]
        p = self.phrasing
        openers = [
            *p["greetings"],
            *p["acknowledgement"].values(),
            *p["apology"].values(),
            p["short_apology"],
            p["acknowledge_only"],
        ]
        openers += [self._without_promise(o) for o in openers]
        self._openers = sorted(set(openers), key=len, reverse=True)

    def generate(self, context: DraftContext, n: int) -> list[Draft]:
        """Up to n drafts that differ by strategy; always at least one.

        When nothing answers (a shop that switched the playbook's moves off and wrote none of
        its own), the last resort is the honest "I'll check" reply, which states nothing.
        """
        return self._compose(self._plan(context), context, n) or self._compose(
            [self._confirm, self._acknowledge], context, 1
        )

    def _compose(self, builders, context: DraftContext, n: int) -> list[Draft]:
        """Up to n drafts from the builders, in order, skipping near-duplicates."""
        body = self._body
        drafts: list[Draft] = []
        for build in builders:
            draft = build(context)
            if draft is None or not draft.text:
                continue
            if any(overlap(draft.text, d.text) > DUPLICATE_OVERLAP for d in drafts):
                continue
            if any(overlap(body(draft.text), body(d.text)) > DUPLICATE_OVERLAP for d in drafts):
                continue  # the same answer behind another opener is no other approach
            drafts.append(draft)
            if len(drafts) == n:
                break
        return drafts

    def _body(self, text: str) -> str:
        """A draft without the openers it starts with (greeting, apology, acknowledgement)."""
        while opener := next((o for o in self._openers if text.startswith(o)), None):
            text = text[len(opener) :]
        return text

    def answers_bait(self, context: DraftContext) -> bool:
        """Whether the customer's message uses a banned term this drafter has an answer for."""
        return any(category in self.phrasing["bait_replies"] for category in context.bait)

    def _plan(self, context: DraftContext) -> list[Callable[[DraftContext], Draft | None]]:
        if self.answers_bait(context):  # then only a real fact is worth a second draft
            return [self._bait, self._direct] if context.facts else [self._bait]
        if context.knowledge_gap:  # asking which product comes after the honest "I'll check"
            return [self._confirm, self._per_candidate, self._situation, self._handover]
        if self.needs_empathy(context):
            plan = [self._soothe, self._direct, self._alternative, self._detail]
        else:
            plan = [self._direct, self._scripted, self._detail, self._alternative]
        if context.look_up_first:  # 发货了吗, 帮我催一下
            plan = [self._situation, *plan]
        # several products fit and none is named: answer for each, or ask which, first
        return [self._per_candidate, *plan]

    # -- situation --------------------------------------------------------------------------

    @staticmethod
    def needs_empathy(context: DraftContext) -> bool:
        """Negative emotion, a problem intent or a complaint about waiting.

        Not the intent of a question whether the shop sells something (你们卖口红吗 read as a
        complaint asks no apology).
        """
        reading = context.understanding.reading
        return (
            context.understanding.analysis.emotion != "calm"
            or (context.intent in PROBLEM_INTENTS and not context.asks_for_goods)
            or "waiting" in reading.cues
            or "displeasure" in reading.cues
        )

    def _opener(self, context: DraftContext, second: bool = False) -> str:
        """An apology, acknowledgement or greeting, chosen by how the customer feels."""
        p = self.phrasing
        analysis = context.understanding.analysis
        cues = context.understanding.reading.cues
        if self.needs_empathy(context):
            if second:
                return p["short_apology"]
            if analysis.emotion == "angry":
                return p["apology"]["angry"]
            if analysis.emotion == "anxious" and context.intent not in p["apology"]:
                return p["acknowledgement"]["waiting" if "waiting" in cues else "default"]
            return p["apology"].get(context.intent, p["apology"]["default"])
        customer = context.request.customer
        if customer and customer.name and not second:
            return p["named_greeting"].format(name=customer.name)
        greetings = p["greetings"]
        return greetings[(1 if second else 0) % len(greetings)]

    def _opens_itself(self, text: str, empathetic: bool) -> bool:
        head = text[:12]
        markers = self.phrasing["apology_markers"] if empathetic else GREETING_MARKERS
        return any(marker in head for marker in markers)

    def _start(self, strategy: str, context: DraftContext, first: str, second=False) -> _Reply:
        """A reply that opens well: our opener unless the first piece already opens that way."""
        reply = _Reply(self.labels[strategy], context.product)
        empathetic = self.needs_empathy(context)
        if self._opens_itself(first, empathetic):
            return reply
        if empathetic and any(m in first for m in self.phrasing["apology_markers"]):
            reply.add(self.phrasing["acknowledge_only"])  # the piece apologises itself, later on
        elif self._promises(self._as_sent(first, context)):
            reply.add(self._without_promise(self._opener(context, second)))
        else:
            reply.add(self._opener(context, second))
        return reply

    def _as_sent(self, text: str, context: DraftContext) -> str:
        """Text as the guard will send it (order statuses it does not show become the check).

        The check sentence promises "查到后告诉您" by itself.
        """
        return keep_to_the_order(
            text, context.request.order, self.phrasing["order_check"], context.customer_said
        )

    def _promises(self, text: str) -> bool:
        """Whether text promises to stay in touch (有消息马上告诉您, 我来帮您跟进)."""
        return any(word in text for word in self.phrasing["closing_words"])

    def _without_promise(self, opener: str) -> str:
        """The opener without its promise, for a piece that makes its own.

        抱歉让您久等了，物流的情况我来帮您跟进。 before 我这就帮您联系快递核实，有消息马上告诉您
        promises twice: 抱歉让您久等了。 is enough.
        """
        if not self._promises(opener):
            return opener
        clauses = [c for c in opener.rstrip("。").split("，") if c and not self._promises(c)]
        return "，".join(clauses) + "。" if clauses else opener

    def _order_sentence(self, context: DraftContext) -> str | None:
        order = context.request.order
        if order is None or context.intent not in ("shipping", "order_change"):
            return None
        p = self.phrasing
        if order.shipped_at:
            date = order.shipped_at.strftime(p["date_format"])
            if order.courier and order.tracking_no:
                return p["order_shipped"].format(
                    date=date, courier=order.courier, tracking_no=order.tracking_no
                )
            return p["order_shipped_plain"].format(date=date)
        if order.courier and order.tracking_no:
            return p["order_tracking"].format(courier=order.courier, tracking_no=order.tracking_no)
        if order.paid_at:
            return p["order_paid"].format(date=order.paid_at.strftime(p["date_format"]))
        return None

    def _ending(self, context: DraftContext) -> str:
        key = "commitment" if self.needs_empathy(context) else "closing"
        return self.phrasing[key][context.stage]

    def _end(self, reply: _Reply, context: DraftContext) -> None:
        """Close the reply, unless one of its pieces already promises to stay in touch.

        A script's "处理进度随时告诉您" then "进度随时同步给您" says the same thing twice.
        """
        if any(self._promises(self._as_sent(part, context)) for part in reply.parts):
            return
        reply.add(self._ending(context))

    def _safety(self, reply: _Reply, context: DraftContext) -> None:
        for script in context.safety_scripts:
            reply.add(finish(script.text), script)

    def _compensation(self, reply: _Reply, context: DraftContext) -> None:
        if "compensation" not in context.understanding.reading.cues:
            return
        beyond = next((s for s in context.scripts if "beyond_policy" in tags(s)), None)
        if beyond is not None:
            reply.add(finish(beyond.text), beyond)
        else:
            reply.add(self.phrasing["compensation"])

    def _usable_scripts(self, context: DraftContext) -> list[Chunk]:
        """Scripts that can be a reply's substance (greetings only answer greetings)."""
        if context.intent == "greeting":
            return context.scripts
        return [s for s in context.scripts if not {"closing", "opening"} & set(tags(s))]

    def _best_script(self, context: DraftContext, prefer: str | None = None) -> Chunk | None:
        scripts = self._usable_scripts(context)
        if prefer:
            preferred = [s for s in scripts[:4] if prefer in tags(s)]
            if preferred:
                return preferred[0]
        return scripts[0] if scripts else None

    def _main_answer(self, context: DraftContext) -> Fact | None:
        """The most relevant of the best fact and the best script (facts win near-ties)."""
        fact = context.facts[0] if context.facts_answer else None
        script = self._best_script(context)
        script_score = context.script_scores.get(script.id, 0.0) if script else 0.0
        if fact and (script is None or fact.relevance + SCRIPT_MARGIN >= script_score):
            return fact
        if script is not None:
            return Fact(script, finish(script.text), script_score)
        return None

    def _is_closing(self, script: Chunk, context: DraftContext) -> bool:
        """A thanks or goodbye reply to a content customer: it stands on its own."""
        return "closing" in tags(script) and not self.needs_empathy(context)

    def _closing(self, strategy: str, script: Chunk, context: DraftContext) -> Draft:
        reply = _Reply(self.labels[strategy], context.product)
        reply.add(finish(script.text), script)
        return reply.draft()

    # -- strategies ---------------------------------------------------------------------------

    def _direct(self, context: DraftContext) -> Draft | None:
        """The answer itself, in a sentence or two."""
        main = self._main_answer(context)
        if main and self._is_closing(main.chunk, context):
            return self._closing("direct", main.chunk, context)
        order = self._order_sentence(context)
        first = order or (main.sentence if main else "")
        if not first:
            return None
        reply = self._start("direct", context, first, second=self.needs_empathy(context))
        reply.add(order)
        if main:
            reply.add(main.sentence, main.chunk, main.also)
        self._safety(reply, context)
        self._end(reply, context)
        return reply.draft()

    def _per_candidate(self, context: DraftContext) -> Draft | None:
        """Several products fit a question that names none: each one's answer, or which one.

        With answers for two or more, each is given; with none, the products are named and the
        customer asked which; with one, the direct draft answers for that product.
        """
        if len(context.candidates) < 2:
            return None
        p = self.phrasing
        answered = [c for c in context.candidates if c.answer]
        if len(answered) > 1:
            reply = self._start("candidates", context, p["candidates_intro"])
            reply.add(p["candidates_intro"])
            for answer, sources in _same_answers(answered):
                reply.add(answer, sources[0])
                for source in sources[1:]:
                    reply.citations.append(cite(source, answer))
            reply.parts[-1] = reply.parts[-1].rstrip("；") + "。"
            reply.add(p["candidates_ask"])
            return reply.draft()
        if answered:
            return None
        names = "、".join(c.product.title for c in context.candidates)
        question = p["candidates_which"].format(names=names)
        reply = self._start("candidates", context, question)
        reply.add(question)
        for candidate in context.candidates:
            reply.citations.append(cite(candidate.product, candidate.product.title))
        return reply.draft()

    def _situation(self, context: DraftContext) -> Draft | None:
        """The playbook's move for the situation, when the shop's knowledge has no answer."""
        if not context.situation_moves:
            return None
        move = context.situation_moves[0]
        # first when it looks the customer's own order up: then it opens as a first draft does
        reply = self._start("situation", context, move.text, second=not context.look_up_first)
        reply.add(finish(move.text), move)
        self._safety(reply, context)
        self._end(reply, context)
        return reply.draft()

    def _soothe(self, context: DraftContext) -> Draft | None:
        """Apology or acknowledgement first, then the shop's standard solution and the facts.

        The playbook's general move (its "what would you like to know" to 这床单起不起球) is no
        solution where a fact answers: the fact alone follows.
        """
        script = self._best_script(context, prefer="apology")
        if script is not None and context.facts and self._general_move(script, context):
            script = None
        first = finish(script.text) if script else ""
        reply = self._start("soothe", context, first)
        if script:
            reply.add(first, script)
        reply.add(self._order_sentence(context))
        if context.facts_answer:
            fact = context.facts[0]
            reply.add(fact.sentence, fact.chunk, fact.also)
        self._compensation(reply, context)
        self._safety(reply, context)
        self._end(reply, context)
        return reply.draft()

    @staticmethod
    def _general_move(script: Chunk, context: DraftContext) -> bool:
        """Whether a script is the playbook's general move for a question about a product.

        Those ask what the customer would like to know; for a problem or a refund the general
        move (send photos, I'll check the refund) is the solution itself.
        """
        return (
            script.type == "playbook"
            and script not in context.situation_moves
            and context.intent in QUESTION_INTENTS
        )

    def _scripted(self, context: DraftContext) -> Draft | None:
        """The shop's standard reply for the intent and stage, one the direct answer left."""
        main = self._main_answer(context)
        used = main.chunk.id if main else None
        script = next((s for s in self._usable_scripts(context) if s.id != used), None)
        if script is None:
            return None
        if self._is_closing(script, context):
            return self._closing("scripted", script, context)
        reply = self._start("scripted", context, script.text, second=True)
        reply.add(finish(script.text), script)
        self._safety(reply, context)
        self._end(reply, context)
        return reply.draft()

    def _detail(self, context: DraftContext) -> Draft | None:
        """A fuller answer: the main fact, a second one, and a related product where it helps."""
        if len(context.facts) < 2 or not context.facts_answer:
            return None
        first, second = context.facts[0], context.facts[1]
        reply = self._start("detail", context, first.sentence, second=True)
        reply.add(first.sentence, first.chunk, first.also)
        reply.add(second.sentence, second.chunk, second.also)
        self._end(reply, context)
        return reply.draft()

    def _alternative(self, context: DraftContext) -> Draft | None:
        """Another of the shop's solutions for the same situation (exchange, partial refund...)."""
        used = self._best_script(context, prefer="apology")
        others = [s for s in self._usable_scripts(context)[:5] if s is not used]
        if not others:
            return None
        script = others[0]
        reply = self._start("alternative", context, script.text, second=True)
        reply.add(finish(script.text), script)
        self._end(reply, context)
        return reply.draft()

    def _bait(self, context: DraftContext) -> Draft | None:
        """The customer asked for something the rules forbid: say so kindly, offer what we can."""
        bait_replies = self.phrasing["bait_replies"]
        replies = [bait_replies[c] for c in context.bait if bait_replies.get(c)]
        if not replies:
            return None
        if REFUSED_BAIT & set(context.bait):  # nothing went wrong: no apology, no admitted fault
            reply = _Reply(self.labels["bait"], context.product)
            reply.add(self.phrasing["greetings"][0])
        else:
            reply = self._start("bait", context, replies[0])
        for text in replies:
            reply.add(text)
        self._safety(reply, context)
        self._end(reply, context)
        return reply.draft()

    def clarifying(self, context: DraftContext) -> Draft:
        """Ask which of the two likeliest requests the customer means (no fact, no promise)."""
        asks = self.phrasing["intent_asks"]
        classified = context.understanding.classified
        ranked = classified.ranked() if classified else [context.intent, "other"]
        first, second = [intent for intent in ranked if intent != "greeting"][:2]
        question = self.phrasing["clarify_intent"].format(first=asks[first], second=asks[second])
        reply = self._start("clarify", context, question)
        reply.add(question)
        return reply.draft()

    def _confirm(self, context: DraftContext) -> Draft | None:
        """Honest: the agent will check and reply within the shop's promised time."""
        if not context.gap_scripts:
            return None
        script = context.gap_scripts[0]
        reply = self._start("confirm", context, script.text)
        reply.add(finish(script.text), script)
        self._safety(reply, context)
        return reply.draft()

    def _taken_down(self, context: DraftContext) -> _Reply:
        """Ask for details: the question is written down (no fact, no promise)."""
        reply = _Reply(self.labels["handover"], context.product)
        reply.add(self._opener(context, second=True))
        reply.add(self.phrasing["clarify"])
        return reply

    def _acknowledge(self, context: DraftContext) -> Draft:
        """The question taken down and handed to a colleague (the shop has no reply promise)."""
        reply = self._taken_down(context)
        reply.add(self.phrasing["handover"])
        return reply.draft()

    def _handover(self, context: DraftContext) -> Draft | None:
        """Ask for details, then the shop's own promise to check and reply.

        The shop's script says the checking itself (我和同事确认一下，10分钟内给您答复): our
        "正在请同事核实" before it would say it twice.
        """
        if not context.gap_scripts:
            return None
        script = context.gap_scripts[min(1, len(context.gap_scripts) - 1)]
        reply = self._taken_down(context)
        reply.add(finish(script.text), script)
        return reply.draft()
