"""Gathering what drafts may say.

Relevant facts, the scripts for the intent, and whether the knowledge answers the question at
all (a knowledge gap).
"""

import re
from collections.abc import Callable

import numpy as np

from copilot.drafting.context import Candidate, DraftContext, Fact
from copilot.drafting.facts import (
    FactExtractor,
    faq_answer,
    faq_entry,
    faq_question,
    parse_product,
    shares_asked,
    without_name,
)
from copilot.drafting.goods import asked_for
from copilot.drafting.order_truth import before_shipping, known_shipped
from copilot.drafting.playbook import NEEDS_NO_PRODUCT, NEEDS_PRODUCT, Playbook, move_chunk
from copilot.drafting.products import ASKING_CHARS, ProductFinder, category_of
from copilot.drafting.rule_words import RuleWords
from copilot.drafting.triggers import mentions_any
from copilot.index.retriever import HybridRetriever, SearchFilters
from copilot.index.text import normalize
from copilot.knowledge.models import Chunk
from copilot.schemas import DraftRequest
from copilot.understand.analyzer import Understanding

CANDIDATE_FACTS = 5
# intents the shop's rules answer whatever the product: its name only distracts the search
RULE_INTENTS = frozenset({"return_exchange", "refund", "shipping", "invoice", "payment"})
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# an intent read with this probability is right 95 % of the time on the realistic sets (issue 11,
# eval/understanding; chosen there, not on any shop's golden set): sure enough to say a rule
# section about another intent answers something else
SURE_INTENT = 0.7
# knowledge is written unlike the chat the model learned from: only a near-certain reading of a
# rule section's topic counts (服务时间 reads as complaint at 0.75)
SURE_TOPIC = 0.9
# ... and only when the question itself gives that topic less than one chance in ten
TOPIC_CHANCE = 0.1
MAX_FACTS = 3
# situations in which the customer asks after their own order (where is it, hurry it up)
OWN_ORDER_SITUATIONS = frozenset({"order_status", "urge"})
# the intent of questions about anything the others do not cover (opening hours, the shop)
CATCH_ALL = "other"
# a problem report gets the shop's rule for that problem even when the search misses it
POLICY_INTENTS = frozenset({"quality_issue"})
PROBLEM_SITUATIONS = ("damaged", "wrong_item", "missing_item")
# the platforms' own names for a shop's general quality policy (质量问题退货, 质保, 保修)
QUALITY_POLICY_WORDS = ("质量问题", "质保", "保修")
# lexical coverage of the question's rare words counts on top of embedding similarity
COVERAGE_WEIGHT = 0.3
# intents that the shop's scripts answer on their own, so missing facts are not a gap
SCRIPT_ANSWERED = frozenset({"greeting", "complaint", "quality_issue"})
PROBLEM_COVERAGE = 0.3
# a product's fact used although no product is in focus must match this well
UNFOCUSED_PRODUCT_FACT = 0.5
# a fact this relevant answers the question whatever the intent: no clarifying question first
ANSWERING_FACT = UNFOCUSED_PRODUCT_FACT
# a script this relevant answers the question by itself (no knowledge gap)
SCRIPT_ANSWER = 0.38
# scripts much less relevant than the best one for the intent are not offered at all
SCRIPT_MARGIN = 0.15
SAFETY_TAGS = {"phishing_link": "anti_fraud", "pii": "privacy"}
# questions about a product: when several fit, each one's answer is given (or they are named)
CANDIDATE_INTENTS = frozenset({"product_info", "size_advice"})
# how relevant a playbook move counts: one written for the situation the message describes
# answers it as well as a closely matching script; a general move only fills in
PLAYBOOK_SITUATION_SCORE = 0.5
PLAYBOOK_GENERAL_SCORE = 0.0
# where the shop has scripts for the intent, the playbook's moves only ever come after them
PLAYBOOK_BEHIND_SHOP = -1.0
# situations whose reply hands the customer over, whatever the intent read (see _handover)
HANDOVER_SITUATIONS = ("threat", "safety_incident")
# a move with this tag only promises to find out: it answers nothing
CHECKS_TAG = "checks"
# 龙井还有吗 asks whether it is in stock, not whether the shop sells it
STOCK_ASK = "还有"
# products named in the answer to a do-you-sell question
MAX_LISTED = 3
# a script with this tag says goodbye: it answers thanks or a goodbye, never 在吗 or a question
CLOSING_TAG = "closing"
CLOSING_SITUATIONS = ("thanks", "farewell")
# a question whether the shop sells something is not about the product in focus
NOT_SOLD = "not_sold"
# a section title with one of these is a question
QUESTION_MARKS = ("吗", "？", "?", "呢")
# characters of chat grammar that say nothing about what is asked (很 of 很酸 only says how much)
FUNCTION_CHARS = frozenset("的了吗呢啊吧么嘛呀能会要多少几是有在不和就还也都怎很挺蛮")


def _order_answers(request: DraftRequest, intent: str) -> bool:
    """Whether the request's own order answers a shipping question (when and how it shipped)."""
    order = request.order
    return (
        intent == "shipping"
        and order is not None
        and bool(order.shipped_at or (order.courier and order.tracking_no))
    )


def _intent_chances(understanding: Understanding) -> dict[str, float]:
    """The probability of each intent for the message (the top one alone when unread)."""
    if understanding.classified is not None:
        return understanding.classified.intents
    return {understanding.analysis.intent: understanding.analysis.confidence}


def _asks(chunk: Chunk) -> bool:
    """Whether a rule section is titled with the question it answers (Q&A sheets, 能开发票吗)."""
    return chunk.type == "rule" and any(mark in chunk.title for mark in QUESTION_MARKS)


def already_told(fact: Fact, told: str) -> bool:
    """Whether the agent has already told the customer this fact: every number of it.

    A follow-up (能退吗 after 多少钱 and the agent's 169元) is not answered with the price again.
    The numbers of the product's name (冻干鸡胸肉零食 100g) are no part of the fact.
    """
    numbers = _NUMBER.findall(fact.sentence.replace(fact.chunk.title, ""))
    return bool(numbers) and set(numbers) <= set(_NUMBER.findall(told))


def section_body(chunk: Chunk) -> str:
    """A rule section's own text, without the document and section titles it opens with."""
    return chunk.text.partition("\n")[2]


def tags(chunk: Chunk) -> list[str]:
    """A script chunk's tags (stored comma-joined in its title)."""
    return [tag for tag in chunk.title.split(",") if tag]


class Grounder:
    """Retrieval for drafting, with a relevance floor that decides what counts as an answer."""

    def __init__(
        self,
        retriever: HybridRetriever,
        extractor: FactExtractor,
        products: ProductFinder,
        gap_threshold: float,
        category_tags: dict[str, str] | None = None,
        situational_tags: dict[str, list[str]] | None = None,
        playbook: Playbook | None = None,
        topics: Callable[[list[str]], list[tuple[str, float]]] | None = None,
    ):
        self.rule_words = RuleWords()
        self.topics = topics
        self._topics: dict[str, tuple[str, float]] = {}
        self._topics_for: object = None
        self.playbook = playbook or Playbook()
        self.category_tags = category_tags or {}
        self.situations = {
            tag: [normalize(str(word)) for word in words]
            for tag, words in (situational_tags or {}).items()
        }
        self.retriever = retriever
        self.extractor = extractor
        self.products = products
        self.gap_threshold = gap_threshold

    def gather(
        self, request: DraftRequest, understanding: Understanding, vector: np.ndarray
    ) -> DraftContext:
        """Facts, scripts and the knowledge-gap verdict for one request."""
        analysis = understanding.analysis
        context = DraftContext(request=request, understanding=understanding)
        message = normalize(request.message)
        listed = self._selling(message)
        # 普洱茶有吗 where the catalog lists no 普洱: no product, fact or script says the shop
        # has it, only a reply for goods the shop may not sell answers
        unsold = listed == []
        context.unlisted = unsold
        sku = (
            None
            if unsold
            else request.sku
            or self.products.in_focus(request.message, understanding.earlier_customer_turns)
        )
        shipped = known_shipped(request.order, context.customer_said)
        context.facts = (
            [] if unsold else self._gathered_facts(request, understanding, sku, vector, shipped)
        )
        # 龙井还有吗 asks whether it is in stock, which no catalog knows
        listing = self._listing(listed) if listed and STOCK_ASK not in message else None
        if listing is not None:
            # first, then only facts that answer well: no guessed attribute (the tea's brewing)
            context.facts = [listing, *(f for f in context.facts if f.relevance >= ANSWERING_FACT)]
            context.listing = True
        category = (
            category_of(self.retriever.chunk(f"product:{sku}"))
            if sku
            else self.products.category_named_in(understanding.query)
        )
        context.product = self._product(sku, context.facts)
        if not sku and not unsold and analysis.intent in CANDIDATE_INTENTS:
            context.candidates = self._candidates(request.message, understanding.query, vector)
        conversation = normalize(" ".join([*understanding.earlier_customer_turns, request.message]))
        scored = [
            (script, score)
            for script, score in self._scripts(
                analysis.intent, analysis.stage, understanding.query, vector
            )
            if self._fits_situation(script, conversation, understanding)
            and self._closes_here(script, message)
            and not (shipped and before_shipping(script.text))  # 没发货前可以改 for a sent order
        ]
        # the shop's own script for the situation the message describes (砍价 → its bargain
        # script) answers it as fully as the playbook's move for it would
        scored = [
            (s, max(score, PLAYBOOK_SITUATION_SCORE) if self._speaks_to(s, message) else score)
            for s, score in scored
        ]
        if context.facts and self._gives_kind(context.facts[0], understanding.query):
            # the rule that says when (or how much) answers before a script that does not
            cap = context.facts[0].relevance
            scored = [
                (
                    s,
                    score
                    if self.extractor.gives_asked_kind(s.text, understanding.query)
                    else min(score, cap),
                )
                for s, score in scored
            ]
        replies: list[Chunk] = []
        if unsold:  # the shop's reply for goods not sold (else the playbook's) answers alone
            replies = self._tagged(NOT_SOLD, analysis.stage)[:1]
            scored = [(s, min(score, PLAYBOOK_GENERAL_SCORE)) for s, score in scored]
        shop_best = max((score for _, score in scored), default=0.0)
        answering = [*replies, *self._handover(context, message)]
        offered = {move.id for move in answering}
        scored = [(s, score) for s, score in scored if s.id not in offered]
        moves = [
            entry
            for entry in self._playbook_moves(context, message, shop_best)
            if entry[0].id not in offered
        ] + [(move, PLAYBOOK_SITUATION_SCORE, True) for move in answering]
        context.situation_moves = [move for move, _, situational in moves if situational]
        context.look_up_first = self._looks_up_first(context)
        scored += [(move, score) for move, score, _ in moves]
        scored.sort(key=lambda item: -item[1])  # stable: the shop's scripts first on a tie
        context.scripts = self._for_category([s for s, _ in scored], category)
        context.script_scores = {s.id: score for s, score in scored}
        context.gap_scripts = self._tagged("knowledge_gap", analysis.stage)
        context.safety_scripts = [
            script
            for flag, tag in SAFETY_TAGS.items()
            if flag in analysis.flags
            for script in self._tagged(tag, analysis.stage)[:1]
        ]
        # a gap: neither the shop's knowledge nor a playbook move that fully answers the
        # situation (bargaining, price matching) does; moves that only promise to check (does
        # the shop sell X, gift wrapping) leave it a gap, which the shop should see and fill.
        # A situational move answers in full even where it comes in behind the shop's scripts
        answered = max(
            (
                PLAYBOOK_SITUATION_SCORE if move in context.situation_moves else score
                for move, score in scored
                if CHECKS_TAG not in tags(move)
            ),
            default=0.0,
        )
        context.knowledge_gap = unsold or (
            not context.facts
            and not _order_answers(request, analysis.intent)
            and answered < SCRIPT_ANSWER
            and analysis.intent not in SCRIPT_ANSWERED
            and not any(c.answer for c in context.candidates)
        )
        return context

    def _selling(self, message: str) -> list[str] | None:
        """The products that are the goods the message asks for (see ProductFinder.selling).

        Those for whom the customer buys, where the catalog has such (给猫买点粮 → the cat
        foods, not the dog food); else every product of the kind. Goods asked for with 卖 (你们卖
        口红吗) are goods even when the catalog has no such kind.
        """
        asked = asked_for(message)
        if asked is None:
            return None
        if asked.buyer:
            for_buyer = self.products.selling(asked.buyer + asked.goods)
            if for_buyer:
                return for_buyer
        return self.products.selling(asked.goods, surely_goods=asked.sells)

    def _listing(self, skus: list[str]) -> Fact | None:
        """The answer to 有没有红茶 where the catalog lists it: the products that are it."""
        products = [self.retriever.chunk(f"product:{sku}") for sku in skus[:MAX_LISTED]]
        products = [p for p in products if p is not None]
        if not products:
            return None
        names = "、".join(p.title for p in products)
        return Fact(
            products[0],
            self.extractor.phrasing["goods_listed"].format(names=names),
            1.0,
            also=tuple(products[1:]),
        )

    def _gathered_facts(
        self,
        request: DraftRequest,
        understanding: Understanding,
        sku: str | None,
        vector: np.ndarray,
        shipped: bool = False,
    ) -> list[Fact]:
        """The facts of each reading of the question in turn, less what the agent already told.

        Once the order has left (shipped), a rule's sentences for unshipped orders do not apply.

        See _readings. A question the rules answer is searched without the products it names
        (猫砂拆了能退吗 asks the return rule); only that search uses the name-free query and its
        embedding, the scripts are scored against the question as asked.
        """
        analysis = understanding.analysis
        told = " ".join(turn.text for turn in request.history if turn.role == "agent")
        query, asked_vector = understanding.query, vector
        if analysis.intent in RULE_INTENTS:
            query, vector = self._name_free(query, vector)
        expanded = self.rule_words.expand(query)
        if expanded != query:
            query, vector = expanded, self.retriever.encode_query(expanded)
        facts: list[Fact] = []
        for asked in self._readings(understanding, sku):
            facts = [
                fact
                for fact in self._facts(
                    query,
                    sku,
                    analysis.intent,
                    vector,
                    asked,
                    _intent_chances(understanding),
                    applies=(lambda sentence: not before_shipping(sentence)) if shipped else None,
                    sentence_vector=asked_vector,
                )
                if not already_told(fact, told)
            ]
            if facts:
                break
        return facts

    def _readings(self, understanding: Understanding, sku: str | None) -> list[str]:
        """What a message asks, in the order to try: a follow-up's own words first.

        能微波吗 after 玻璃奶瓶多少钱 asks about the microwave, not the price again; 那要配多大的
        after 婴儿床带床垫吗 needs the earlier turn's 床垫, so it comes next; 那二段呢 has no
        words of its own besides a product's name and asks the earlier question.
        """
        query, latest = understanding.query, understanding.asked
        if not latest or latest == query:
            return [query]
        focus = self.retriever.chunk(f"product:{sku}") if sku else None
        own = {
            char
            for word in self._own_words(latest, focus)
            if not (sku and self.products.mentions(sku, word))  # 二段 of 奶粉2段
            for char in set(word) - ASKING_CHARS - FUNCTION_CHARS
        }
        return [latest, query] if own else [query]

    def _facts(
        self,
        query: str,
        sku: str | None,
        intent: str,
        vector: np.ndarray,
        asked: str | None = None,
        chances: dict[str, float] | None = None,
        applies: Callable[[str], bool] | None = None,
        sentence_vector: np.ndarray | None = None,
    ) -> list[Fact]:
        """Relevant facts, most relevant first (applies: see FactExtractor.sentence).

        sentence_vector: the question as asked, products named, which picks a rule's sentence
        (床垫也发韵达吗 → 床垫体积大，走德邦物流) though the search went without the names.

        The knowledge is searched with query; what the facts must answer is asked (the latest
        message's own question, see _readings). A product's facts answer for that product only:
        they are used when it is in focus (or, for a plain question, when they match very well);
        for problems the scripts lead. When the intent was read with confidence (confidence, at
        least SURE_INTENT in chances, the probability of each intent), a rule section surely about
        an intent the question has little chance of (below TOPIC_CHANCE) answers something else:
        个人抬头能改成公司吗, read as order_change, still gets the invoice rule (invoice 0.12).
        """
        chances = chances or {}
        confident = max(chances.values(), default=0.0) >= SURE_INTENT
        hits = self.retriever.search(
            query, CANDIDATE_FACTS, SearchFilters(), prefer_sku=sku, vector=vector
        )
        query = asked or query
        ids = [hit.id for hit in hits]
        facts: list[Fact] = []
        focus = self.retriever.chunk(f"product:{sku}") if sku else None
        own_words = self._own_words(query, focus)
        answer = None
        if focus is not None:
            # an attribute found by meaning answers a product question, unless one of the
            # product's FAQ entries asks the question's own words (刷头多久换 → its FAQ) and
            # gives the quantity asked for, if any; its answer may mention anything (水温太高
            # does not ask 适合多大的宝宝)
            by_meaning = intent in CANDIDATE_INTENTS and not any(
                chunk.type == "faq"
                and chunk.sku == focus.sku
                and shares_asked(faq_question(chunk), own_words, FUNCTION_CHARS)
                and not self.extractor.misses_asked_quantity(faq_answer(chunk), query)
                for chunk in map(self.retriever.chunk, ids)
                if chunk is not None
            )
            # a reported problem asks no attribute (颜色跟图片差太多了 does not ask which colours
            # there are): the shop's rule for it answers
            if intent not in POLICY_INTENTS:
                answer = self.extractor.attribute_answer(focus, query, by_meaning=by_meaning)
        # the attribute asked about is the best answer there is, unless one of the product's FAQ
        # entries has every word of the question (开封后能放多久 is not the shelf life)
        if focus is not None and answer and not self._faq_asks_it(ids, query, focus.sku):
            facts.append(Fact(focus, answer, 1.0))
            ids = [i for i in ids if i != focus.id]
        attributes = len(facts)
        similarity = self.retriever.similarities(vector, ids)
        coverage = self.retriever.coverage(self.rule_words.expand(query), ids)
        scored = sorted(
            zip(ids, similarity + COVERAGE_WEIGHT * np.array(coverage), coverage, strict=True),
            key=lambda item: -item[1],
        )
        topics = self.section_topics()
        # a reported damaged, wrong or missing item is answered only by what names the problem;
        # safety incidents are left out: their words differ (拉肚子 against 腹泻)
        reported = (
            self._reported(query, self._item_problem_words()) if intent in POLICY_INTENTS else []
        )
        for chunk_id, score, cov in scored:
            chunk = self.retriever.chunk(chunk_id)
            if chunk is None or score < self.gap_threshold:
                continue
            if reported and not self._reported(chunk.text, reported):
                continue  # 茶具碎了一个杯子: not what the set holds, nor how it is packed
            if chunk.sku and not self._product_fact_fits(
                chunk, sku, intent, query, float(score), cov
            ):
                continue
            if chunk.type == "faq" and not shares_asked(
                faq_entry(chunk),
                self._faq_own_words(query, chunk, focus, own_words),
                FUNCTION_CHARS,
            ):
                continue  # the product's 冻干 FAQ does not answer how long its warranty is
            if _asks(chunk) and not shares_asked(chunk.title, own_words, FUNCTION_CHARS):
                continue  # a section titled 孕妇能喝茶吗 answers that, not 普洱茶有吗
            if (
                chunk.type == "rule"
                and intent in CANDIDATE_INTENTS
                and not shares_asked(chunk.text, own_words, FUNCTION_CHARS)
            ):
                continue  # 茶叶有有机认证吗 is not answered by a rule that only says 茶叶
            topic, sure = topics.get(chunk_id, (intent, 0.0))
            if (
                confident
                and intent != CATCH_ALL  # a question about anything else has no topic to keep
                and topic != intent
                and sure >= SURE_TOPIC
                and chances.get(topic, 0.0) < TOPIC_CHANCE
            ):
                continue  # the unshipped-order refund rule does not say why it has not shipped
            sentence = self.extractor.sentence(
                chunk,
                query,
                vector if sentence_vector is None else sentence_vector,
                applies,
                attributes=intent not in POLICY_INTENTS,
            )
            if sentence and all(sentence != fact.sentence for fact in facts):
                facts.append(Fact(chunk, sentence, float(score)))
            if len(facts) == MAX_FACTS:
                break
        ruled = any(fact.chunk.type == "rule" for fact in facts)
        if intent in POLICY_INTENTS and confident and not ruled and len(facts) < MAX_FACTS:
            policy = self._policy(intent, query, vector, topics)
            if policy is not None:
                facts.append(policy)
            elif focus is not None:
                facts += self._warranty(focus)
        if self.playbook.present(NOT_SOLD, query):
            facts = [fact for fact in facts if self._names_asked_item(fact, query)]
        # a question that asks for a time or an amount (发票什么时候开) is answered first by the
        # fact that gives one, not by a closer section that gives none (发票开错可以重开)
        facts[attributes:] = sorted(
            facts[attributes:], key=lambda f: not self._gives_kind(f, query)
        )
        if (
            not facts
            and focus is not None
            and intent in CANDIDATE_INTENTS
            and not self.playbook.present(NOT_SOLD, query)  # 卖不卖手机支架 asks of another
            and not self._asks_what_others_have(focus, own_words)
        ):
            # nothing else answers: an attribute both weak readings point at is better than a gap
            guess = self.extractor.attribute_by_agreement(focus, query)
            if guess:
                facts.append(Fact(focus, guess, self.gap_threshold))
        return facts

    def _policy(
        self, intent: str, query: str, vector: np.ndarray, topics: dict[str, tuple[str, float]]
    ) -> Fact | None:
        """The shop's rule for the problem the message reports, when no search found it.

        猫粮胀包了 and 少发了一包猫砂 name products, so their search finds the products' FAQs,
        not the quality rule (收到的商品破损、漏发、发错…请在签收后48小时内拍照): a rule section
        about the intent (by the intent model) that names the same problem (a trigger word of
        damaged, wrong_item, missing_item or safety_incident in both) is the policy for it.
        Among several, the closest to the message without its product names.
        """
        problems = self._reported(query, self._problem_words())
        about = [chunk_id for chunk_id, (topic, _) in topics.items() if topic == intent]
        naming = [
            chunk_id
            for chunk_id in about
            if problems
            and (chunk := self.retriever.chunk(chunk_id)) is not None
            and self._reported(chunk.text, problems)
        ]
        ids = naming or self._general_policy(about)
        if not ids:
            return None
        query, vector = self._name_free(query, vector)
        scores = self.retriever.similarities(vector, ids) + COVERAGE_WEIGHT * np.array(
            self.retriever.coverage(query, ids)
        )
        best = self.retriever.chunk(ids[int(np.argmax(scores))])
        sentence = self.extractor.sentence(best, query, vector) if best else ""
        return Fact(best, sentence, self.gap_threshold) if best and sentence else None

    def _warranty(self, product: Chunk) -> list[Fact]:
        """The product's own warranty line, for a problem with it no rule of the shop covers.

        锅用了两个月涂层就起皮了: the pot's 保修：涂层1年内非人为脱落免费换新 is its policy.
        """
        name, attributes, _ = parse_product(product)
        phrasing = self.extractor.phrasing["attribute_answer"]
        return [
            Fact(product, phrasing.format(name=name, key=key, value=value), self.gap_threshold)
            for key, value in attributes.items()
            if any(word in key for word in QUALITY_POLICY_WORDS)
        ][:1]

    def _general_policy(self, about: list[str]) -> list[str]:
        """The shop's one general quality rule, for a problem no section names.

        充不进电了 or 发成15的了: a shop whose single quality section says 签收后15天内出现质量问题
        可以直接换新 has that as its policy. A section that only lists problems (破损、漏发、发错)
        covers those, whatever its title; where several sections speak of quality (clothes,
        small appliances, digital accessories each with its own), which one applies is the
        product's matter and no rule is guessed.
        """
        general = [
            chunk_id
            for chunk_id in about
            if (chunk := self.retriever.chunk(chunk_id)) is not None
            and mentions_any(normalize(section_body(chunk)), QUALITY_POLICY_WORDS)
        ]
        return general if len(general) == 1 else []

    @staticmethod
    def _reported(text: str, problems: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """The problems (each a list of trigger words) that text names."""
        said = normalize(text)
        return [words for words in problems if mentions_any(said, words)]

    def _item_problem_words(self) -> list[tuple[str, ...]]:
        """The trigger words of each problem with the item itself (damaged, wrong, missing)."""
        words = [tuple(self.situations.get(tag, ())) for tag in PROBLEM_SITUATIONS]
        return [w for w in words if w]

    def _problem_words(self) -> list[tuple[str, ...]]:
        """The trigger words of each problem a quality rule may be about."""
        safety = tuple(self.playbook.situations.get("safety_incident", ()))
        return self._item_problem_words() + ([safety] if safety else [])

    def _names_asked_item(self, fact: Fact, question: str) -> bool:
        """Whether a fact names what "do you sell X" asks about (有没有茶宠卖: 茶宠).

        The question's words of two or more characters, less those of the way of asking (有没有
        of 有没有卖), must appear in the fact's text: a greeting that mentions 茶 does not say
        whether the shop sells tea pets.
        """
        asking = self.playbook.situations.get(NOT_SOLD, ())
        items = [
            word
            for word in self.retriever.tokens(question)
            if len(word) >= 2 and not any(word in phrase for phrase in asking)
        ]
        text = normalize(fact.chunk.text)
        return not items or any(word in text for word in items)

    def _gives_kind(self, fact: Fact, question: str) -> bool:
        """Whether a rule fact gives the time or amount the question asks for."""
        return fact.chunk.type == "rule" and self.extractor.gives_asked_kind(
            fact.sentence, question
        )

    def section_topics(self) -> dict[str, tuple[str, float]]:
        """Rule section id -> the intent its title and opening answer, with its probability.

        Read by topics (the analyzer's intent model) once per version of the index.
        """
        rules = self.retriever.chunks_of("rule")
        key = tuple(chunk.id for chunk in rules)
        if key != self._topics_for and self.topics is not None:
            texts = [
                chunk.title.rpartition(" - ")[2] + "：" + section_body(chunk)[:80]
                for chunk in rules
            ]
            self._topics = dict(zip(key, self.topics(texts), strict=True))
            self._topics_for = key
        return self._topics

    def _name_free(self, query: str, vector: np.ndarray) -> tuple[str, np.ndarray]:
        """The query without the products it names, and its embedding (encoded only if cut)."""
        named = self.products.named_products(query)
        if not named:
            return query, vector
        query = self._without_products(query, named)
        return query, self.retriever.encode_query(query)

    def _without_products(self, query: str, skus: list[str]) -> str:
        """The query with the names of the products it mentions cut out."""
        text = normalize(query)
        for sku in skus:
            product = self.retriever.chunk(f"product:{sku}")
            if product is not None:
                text = without_name(text, normalize(f"{product.title} {category_of(product)}"))
        return text if text.strip() else query

    def _own_words(self, query: str, focus: Chunk | None) -> set[str]:
        """The question's words once the name (and category) of its product is cut out.

        Also the customer's own word for it: 橙子 names 赣南脐橙 (see ProductFinder), so
        橙子不想要了能退吗 shares nothing with the oranges' 橙子打蜡吗 FAQ. Only its first use
        names the product: the second 充电 of 充电头能给macbook充电吗 is what is asked (not so
        for a single character: 猫 of 猫粮拆了猫不爱吃 is in every cat food FAQ's name).
        """
        tokens = self.retriever.tokens(query)
        if focus is None:
            return set(tokens)
        named = normalize(f"{focus.title} {category_of(focus)}")
        naming: set[str] = set()
        own: set[str] = set()
        for word in tokens:
            if (len(word) == 1 or word not in naming) and (
                word in named or (len(word) > 1 and self.products.mentions(focus.sku, word))
            ):
                naming.add(word)
            else:
                own.add(word)
        return own

    def _asks_what_others_have(self, focus: Chunk, own_words: set[str]) -> bool:
        """Whether the question asks about what other knowledge states and the product does not.

        耳机支持无线充电吗: the phone case says 无线充电, the earphones say nothing of it, so the
        earphones' battery life is no answer to guess; the shop should say. 买一支洗面奶包邮吗:
        包邮 is the rules' matter, not the cleanser's directions. Words that name a product
        (纸尿裤 of 拉拉裤和纸尿裤有啥区别) are no feature.
        """
        texts = self.products.texts()
        own = texts.get(focus.sku, "")
        others = [text for sku, text in texts.items() if sku != focus.sku]
        others.append(self.products.other_knowledge())
        return any(
            word not in own
            and any(word in text for text in others)
            and not self.products.named_products(word)
            for word in own_words
            if len(word) > 1 and set(word) - FUNCTION_CHARS - ASKING_CHARS
        )

    def _faq_own_words(
        self, query: str, faq: Chunk, focus: Chunk | None, own_words: set[str]
    ) -> set[str]:
        """The question's words besides the name of the FAQ's product (in focus or not).

        猫粮有谷物吗 shares only 猫粮 with the kitten food's feeding FAQ: no answer.
        """
        if focus is not None and faq.sku == focus.sku:
            return own_words
        return self._own_words(query, self.retriever.chunk(f"product:{faq.sku}"))

    def _faq_asks_it(self, ids: list[str], query: str, sku: str) -> bool:
        """Whether one of the product's FAQ questions among the hits has every word of the query.

        The product's name counts with the question; the answer's words do not (they may
        mention anything), and neither does chat grammar: jieba's 要换 of 奶嘴多久要换 is in
        奶嘴多久换一次 once 要 is set aside.
        """
        tokens = {t for t in self.retriever.tokens(query) if set(t) - FUNCTION_CHARS}
        if not tokens:
            return False
        for chunk_id in ids:
            chunk = self.retriever.chunk(chunk_id)
            if chunk is None or chunk.type != "faq" or chunk.sku != sku:
                continue
            question = faq_question(chunk)
            asked = set(self.retriever.tokens(question))
            if all(t in asked or set(t) - FUNCTION_CHARS <= set(question) for t in tokens):
                return True
        return False

    def _candidates(self, message: str, query: str, vector: np.ndarray) -> list[Candidate]:
        """Each product the message fits equally well, with the answer its knowledge gives."""
        found = []
        for sku in self.products.candidates(message):
            product = self.retriever.chunk(f"product:{sku}")
            if product is None:
                continue
            answer = self.extractor.attribute_answer(
                product, query, "candidate_attribute", by_meaning=False
            )
            if answer is not None:
                found.append(Candidate(product, answer, product))
                continue
            own = [
                fact
                for fact in self._facts(query, sku, "product_info", vector)
                if fact.chunk.sku == sku and fact.relevance >= UNFOCUSED_PRODUCT_FACT
            ]
            if own:
                answer = self._candidate_answer(product, own[0].sentence)
                found.append(Candidate(product, answer, own[0].chunk))
            else:
                found.append(Candidate(product))
        return found

    def _candidate_answer(self, product: Chunk, sentence: str) -> str:
        """One candidate's answer, led by its name."""
        return self.extractor.phrasing["candidate_answer"].format(
            name=product.title, answer=sentence.rstrip("。")
        )

    def _product_fact_fits(
        self, chunk: Chunk, sku: str | None, intent: str, query: str, score: float, cov: float
    ) -> bool:
        if sku:
            return chunk.sku == sku and (intent not in SCRIPT_ANSWERED or cov >= PROBLEM_COVERAGE)
        # no product in focus: the fact must be about a product the message names, or be an
        # FAQ of one that asks every word of the question (两个月的小猫一天喂多少, asked of the
        # kitten food, names no product)
        return (
            intent not in SCRIPT_ANSWERED
            and score >= UNFOCUSED_PRODUCT_FACT
            and (
                self.products.mentions(chunk.sku, query)
                or (chunk.type == "faq" and self._faq_asks_it([chunk.id], query, chunk.sku))
            )
        )

    def _product(self, sku: str | None, facts: list[Fact]) -> Chunk | None:
        """The product in focus: the request's sku, else the product the best fact is about."""
        sku = sku or next((f.chunk.sku for f in facts[:1] if f.chunk.sku), None)
        return self.retriever.chunk(f"product:{sku}") if sku else None

    def _scripts(
        self, intent: str, stage: str, query: str, vector: np.ndarray
    ) -> list[tuple[Chunk, float]]:
        scripts = self.retriever.chunks_of("script", intent, stage)
        if not scripts:
            scripts = self.retriever.chunks_of("script", intent)
        if not scripts:
            return []
        ids = [s.id for s in scripts]
        score = self.retriever.similarities(vector, ids) + COVERAGE_WEIGHT * np.array(
            self.retriever.coverage(query, ids)
        )
        order = np.argsort(-score, kind="stable")
        best = float(score[order[0]])
        return [(scripts[i], float(score[i])) for i in order if score[i] >= best - SCRIPT_MARGIN]

    def _fits_situation(self, script: Chunk, conversation: str, understanding) -> bool:
        """A situational script needs one of its trigger words in the conversation."""
        for tag in tags(script):
            triggers = self.situations.get(tag)
            if triggers is None:
                continue
            if tag == "repeated" and understanding.reading.unresolved_turns:
                continue
            if not mentions_any(conversation, triggers):
                return False
        return True

    def _looks_up_first(self, context: DraftContext) -> bool:
        """Whether looking the customer's own order up answers before any rule.

        发货了吗 and 帮我催一下 ask after this customer's order, which no rule of the shop
        knows; with the order in the request its status answers instead. A time or amount the
        question also asks for (仓库收到了吗，什么时候退钱) that the best fact gives still leads.
        """
        if context.request.order is not None:
            return False
        if not any(set(tags(move)) & OWN_ORDER_SITUATIONS for move in context.situation_moves):
            return False
        query = context.understanding.query
        return not (context.facts and self._gives_kind(context.facts[0], query))

    def _speaks_to(self, script: Chunk, message: str) -> bool:
        """Whether a script is tagged with a situation of the playbook the message describes.

        Only the playbook's own situations (bargain, gift, cancel …): the drafter's situational
        tags (compensation, wrong_item …) have broad triggers (赔, 不一样) that only gate a
        script, never make it the answer.
        """
        return any(
            tag in self.playbook.situations
            and tag not in self.situations
            and self.playbook.present(tag, message)
            for tag in tags(script)
        )

    def _closes_here(self, script: Chunk, message: str) -> bool:
        """A goodbye script fits only a message that thanks or says goodbye."""
        return CLOSING_TAG not in tags(script) or any(
            self.playbook.present(situation, message) for situation in CLOSING_SITUATIONS
        )

    def _for_category(self, scripts: list[Chunk], category: str | None) -> list[Chunk]:
        """Drop scripts meant for another product category than the one in focus."""
        own = self.category_tags.get(category or "")
        if not own:
            return scripts
        others = set(self.category_tags.values()) - {own}
        return [s for s in scripts if not others & set(tags(s))]

    def _tagged(self, tag: str, stage: str) -> list[Chunk]:
        """Scripts with a tag, those of the current stage first; else the playbook's moves."""
        scripts = [s for s in self.retriever.chunks_of("script") if tag in tags(s)]
        if scripts:
            return sorted(scripts, key=lambda s: s.stage != stage)
        moves = (move_chunk(m, stage) for m in self.playbook.tagged(tag))
        return [chunk for chunk in moves if chunk is not None]

    def _handover(self, context: DraftContext, message: str) -> list[Chunk]:
        """The reply to a threat or a safety incident when the customer is handed over.

        The shop's script tagged with the situation, else the playbook's move, whatever the
        message asks about: 再不给我退款我就打12315 asks about a refund, but needs an apology
        and the handover first, which the moves of the intent read (refund) do not say.
        """
        analysis = context.understanding.analysis
        if not analysis.escalate.needed:
            return []
        return [
            chunk
            for situation in HANDOVER_SITUATIONS
            if self.playbook.present(situation, message)
            for chunk in self._tagged(situation, analysis.stage)[:1]
            if chunk.intent != analysis.intent
        ]

    def _playbook_moves(
        self, context: DraftContext, message: str, shop_best: float
    ) -> list[tuple[Chunk, float, bool]]:
        """The playbook's moves for what the shop's own scripts leave open.

        Each as (move, score, whether it was written for the situation the message describes).
        The shop's scripts for the intent win: with any of them, or when one answers the message
        well (shop_best: their best relevance), the playbook's general moves stay out. A
        situational move (its trigger word in the customer's message) comes in behind them
        unless one is tagged with its situation. One that acts (催一下, 拍照发我) comes in even
        when a script reads close to the message: the signed-but-missing script is not the
        shop's answer to 帮我催一下快递. One that only promises to check whether the shop can
        (附贺卡) does not, since a close script has likely said it can.
        """
        analysis = context.understanding.analysis
        own = self.retriever.chunks_of("script", analysis.intent)
        covered = {tag for script in own for tag in tags(script)}
        offered = []
        for entry in self.playbook.for_intent(analysis.intent):
            move = entry.move
            if move.stages and analysis.stage not in move.stages:
                continue
            if move.emotions and analysis.emotion not in move.emotions:
                continue
            if NEEDS_NO_PRODUCT in move.tags and context.product is not None:
                continue
            if NEEDS_PRODUCT in move.tags and context.product is None:
                continue
            situations = self.playbook.situation_of(move)
            if situations:
                if covered & set(situations):
                    continue
                if shop_best >= SCRIPT_ANSWER and CHECKS_TAG in move.tags:
                    continue
                if not all(self.playbook.present(s, message) for s in situations):
                    continue
                score = PLAYBOOK_BEHIND_SHOP if own else PLAYBOOK_SITUATION_SCORE
            elif own or shop_best >= SCRIPT_ANSWER:
                continue
            else:
                score = PLAYBOOK_GENERAL_SCORE
            chunk = move_chunk(entry, analysis.stage, context.product)
            if chunk is not None:
                offered.append((chunk, score, bool(situations)))
        return offered
