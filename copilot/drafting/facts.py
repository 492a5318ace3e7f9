"""The specific sentence a chunk contributes to a reply.

That is the FAQ answer, the rule sentence that matches the question, or the product attribute
asked about.
"""

import re
from collections.abc import Callable

import numpy as np

from copilot.compliance.guard import sentences
from copilot.index.retriever import HybridRetriever
from copilot.index.text import normalize
from copilot.knowledge.models import Chunk
from copilot.knowledge.sentences import pieces as split_sentences
from copilot.knowledge.sentences import quotable_body

SHORT_SENTENCE = 16
LEAD_BONUS = 0.1
# a sentence with the kind of value asked for (什么时候 → 48小时, 运费多少 → 8元) as much again
KIND_BONUS = LEAD_BONUS
NEIGHBOUR_MARGIN = 0.06
MAX_FACT_CHARS = 120
PRICE_WORDS = ("多少钱", "价格", "价钱", "几块", "售价")
COVERAGE_WEIGHT = 0.3
MAX_CACHED_SENTENCES = 20_000
# a measure word after 几/多少 asks for a value counted in it (几档 → 9档, 多少抽 → 80抽)
_MEASURE = re.compile(r"(?:几|多少)(个月|个小时|[\u4e00-\u9fff])")
CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[a-z0-9][a-z0-9.+-]*[a-z0-9]")
_COUNTED = "0123456789一二两三四五六七八九十半几"
# words made only of these ask how or what, not about what (什么, 怎么, 可以, 多少)
QUESTION_CHARS = frozenset("什么怎样可以多少几吗呢吧啊的了是有能会要用哪个")
# question words with a character that elsewhere says what (里 of 哪里 is not 里面's)
QUESTION_WORDS = ("哪里", "哪儿", "哪边", "哪一")
# lines every product has (its category and price): never what an unnamed question asks for,
# and naming them says nothing about which product is meant
UNTELLING_ATTRIBUTES = frozenset({"类目", "价格"})
# a question with one of these asks how a product is overall, which its description answers
OVERVIEW_ASKS = (
    "怎么样",
    "咋样",
    "好不好",
    "好用吗",
    "好用不",
    "如何",
    "值不值",
    "介绍一下",
    "有什么特点",
)
# an attribute holding half of the question's own words (its name's set aside) answers it
ASKED_WORDS_SHARE = 0.5
ASKED_CHARS_SHARE = 0.5  # ... or more than half of its characters


def content_chars(text: str, ignored: frozenset[str] = QUESTION_CHARS) -> set[str]:
    """The Chinese characters of text that say what it is about (not 吗, 什么, 能…)."""
    return {c for c in text if CJK_CHAR.match(c)} - ignored


def parse_product(chunk: Chunk) -> tuple[str, dict[str, str], list[str]]:
    """A product chunk's name, its "key：value" lines (类目 and 价格 among them), and its prose."""
    lines = chunk.text.split("\n")
    attributes: dict[str, str] = {}
    prose: list[str] = []
    for line in lines[1:]:
        key, sep, value = line.partition("：")
        if sep and len(key) <= 8:
            attributes[key] = value
        else:
            prose.append(line)
    return chunk.title or lines[0], attributes, prose


def faq_question(chunk: Chunk) -> str:
    """The question of an FAQ chunk (its text is the question, then 答： and the answer)."""
    return chunk.text.split("\n答：", 1)[0]


def faq_entry(chunk: Chunk) -> str:
    """An FAQ chunk's question and answer without the product name that heads it.

    阔 of 阔腿裤 is in every one of the trousers' FAQ entries, whatever they ask.
    """
    return chunk.text.partition("】")[2]


def faq_answer(chunk: Chunk) -> str:
    """The answer of an FAQ chunk (not its product's name, whose 10斤装 answers nothing)."""
    return chunk.text.split("答：", 1)[-1]


def shares_asked(text: str, words: set[str], ignored: frozenset[str]) -> bool:
    """Whether text has one of a question's own words, or two of their characters.

    Characters count because jieba splits chat text oddly (要冲 / 多稠 against 冲调 / 变稠);
    ignored: characters that only ask (吗, 什么). A question with no words of its own asks
    about nothing in particular, which any text answers.
    """
    text = normalize(text)
    chars = content_chars("".join(words), ignored)
    if not words or not chars or any(len(word) > 1 and word in text for word in words):
        return True
    return sum(c in text for c in chars) >= min(2, len(chars))


def without_name(asked: str, name: str) -> str:
    """The question with every run of two or more characters it shares with the name cut out.

    jieba glues chat words to the product's name (喂食器用 → 器用); cutting the name first leaves
    the question's own words whole (用什么电池).
    """
    kept, i = [], 0
    while i < len(asked):
        end = i + 2
        while end <= len(asked) and asked[i:end] in name:
            end += 1
        if end - 1 - i >= 2:
            kept.append(" ")
            i = end - 1
        else:
            kept.append(asked[i])
            i += 1
    return "".join(kept)


def _found(word: str, text: str) -> float:
    """How much of a word text has: 1 if whole, else the share of its bigrams (含酒精, 无酒精)."""
    if word in text:
        return 1.0
    pairs = [word[i : i + 2] for i in range(len(word) - 1)]
    return sum(pair in text for pair in pairs) / len(pairs) if pairs else 0.0


def draft_sentences(text: str) -> list[str]:
    """A draft's text in sentences, each with its closing punctuation; joined they are the text.

    The ～ that closes a greeting ("亲，您好～") ends a sentence too.
    """
    return sentences(text, also_ending="～")


def finish(sentence: str) -> str:
    """A sentence with closing punctuation (；becomes 。 when it ends a draft's clause)."""
    sentence = sentence.strip().rstrip("；;，,")
    return sentence if sentence.endswith(("。", "！", "？", "～", "!", "?")) else sentence + "。"


def _lead_in(pieces: list[str], index: int) -> str:
    """The opening up to its colon of the sentence whose later item (after a ；) pieces[index] is.

    "退款按原支付方式原路退回：支付宝…；储蓄卡…；信用卡3到7个工作日。" lists the ways of paying back
    after one opening; the item alone does not say what it is about.
    """
    start = index
    while start > 0 and pieces[start - 1].endswith(("；", ";")):
        start -= 1
    head, colon, _ = pieces[start].partition("：")
    return head + colon if start < index and colon else ""


def _picked(pieces: list[str], chosen: set[int]) -> list[tuple[int, str]]:
    return [(i, pieces[i]) for i in sorted(chosen)]


def _kinds(kinds: dict) -> list[tuple[list[str], list[str]]]:
    """(asks, units) of each kind of value in phrasing's answer kinds."""
    return [
        ([normalize(a) for a in kind["asks"]], [normalize(u) for u in kind["units"]])
        for kind in kinds.values()
    ]


def attribute_aliases(phrasing: dict) -> dict[str, list[str]]:
    """Attribute key -> the words that ask for it: its group's asks and the group's other keys.

    A shop may call what a product is made of 材质, 原料 or 配料; a customer asks 什么做的 or
    names one of them, whichever the shop wrote.
    """
    aliases: dict[str, list[str]] = {}
    for group in phrasing["attribute_groups"]:
        keys = [normalize(str(key)) for key in group["keys"]]
        asks = [normalize(str(ask)) for ask in group.get("asks", ())]
        for key in keys:
            aliases.setdefault(key, []).extend(asks + [k for k in keys if k != key])
    return aliases


class FactExtractor:
    """Picks the part of a chunk that answers the question, in words a customer reads easily."""

    def __init__(self, retriever: HybridRetriever, phrasing: dict):
        self.retriever = retriever
        self.phrasing = phrasing
        self.aliases = attribute_aliases(phrasing)
        self.answer_kinds = _kinds(phrasing.get("answer_kinds", {}))
        # a rule's sentence may also be picked by the time or amount asked for
        self.sentence_kinds = self.answer_kinds + _kinds(phrasing.get("sentence_answer_kinds", {}))
        self._vectors: dict[str, np.ndarray] = {}
        self._tokens: dict[str, frozenset[str]] = {}

    def sentence(
        self,
        chunk: Chunk,
        question: str,
        vector: np.ndarray | None = None,
        applies: Callable[[str], bool] | None = None,
        attributes: bool = True,
    ) -> str:
        """The part of a chunk that answers a question (vector: the question's embedding).

        applies: whether a rule's sentence holds for this conversation (a rule for orders not
        yet shipped does not, once the order has left); "" when none of the rule's does.
        attributes: whether a product's attribute may answer (a reported problem asks none).
        """
        if chunk.type == "faq":
            return finish(faq_answer(chunk))
        if chunk.type == "product":
            return self._product(chunk, question, vector, attributes)
        return self._best_sentences(quotable_body(chunk) or chunk.text, question, vector, applies)

    def _words(self, sentence: str) -> frozenset[str]:
        words = self._tokens.get(sentence)
        if words is None:
            if len(self._tokens) > MAX_CACHED_SENTENCES:
                self._tokens.clear()
            words = self._tokens[sentence] = frozenset(self.retriever.tokens(sentence))
        return words

    def _sentence_vectors(self, pieces: list[str]) -> np.ndarray:
        stored = self.retriever.sentence_vectors
        missing = [p for p in pieces if p not in self._vectors and p not in stored]
        if missing:
            encoded = self.retriever.embeddings.encode([normalize(p) for p in missing])
            if len(self._vectors) > MAX_CACHED_SENTENCES:
                self._vectors.clear()
            self._vectors.update(zip(missing, encoded, strict=True))
        return np.stack([stored[p] if p in stored else self._vectors[p] for p in pieces])

    def _best_sentences(
        self,
        body: str,
        question: str,
        vector: np.ndarray | None,
        applies: Callable[[str], bool] | None = None,
    ) -> str:
        """The sentence closest in meaning and rare words to the question.

        A rule's first sentence, which states the rule, gets a small head start, and so does a
        sentence with the kind of value the question asks for (a time for 什么时候). Only
        sentences that apply (see sentence) are picked.
        """
        pieces = split_sentences(body)
        usable = [applies is None or applies(piece) for piece in pieces]
        if not any(usable):
            return ""
        if len(pieces) <= 1:
            return finish(body)
        if vector is None:
            vector = self.retriever.encode_query(question)
        weights = {t: self.retriever.idf(t) for t in set(self.retriever.tokens(question))}
        total = sum(weights.values()) or 1.0
        similarity = self._sentence_vectors(pieces) @ vector
        units = self._asked_units(normalize(question), self.sentence_kinds)
        held = [self._words(piece) for piece in pieces]
        # a word of the question that only one sentence has points at it (信用卡 among the ways
        # of paying a refund back): it counts twice there
        alone = {t for t in weights if sum(t in words for words in held) == 1}
        scores = []
        for position, piece in enumerate(pieces):
            words = held[position]
            coverage = sum(w * (1 + (t in alone)) for t, w in weights.items() if t in words) / total
            lead = LEAD_BONUS if position == 0 else 0.0
            kind = KIND_BONUS if units and self._counted_in(piece, units) else 0.0
            scores.append(float(similarity[position]) + COVERAGE_WEIGHT * coverage + lead + kind)
        best = max((i for i in range(len(pieces)) if usable[i]), key=lambda i: scores[i])
        chosen = {best}
        for near in (best - 1, best + 1):  # a neighbour that matters nearly as much completes it
            if (
                0 <= near < len(pieces)
                and usable[near]
                and scores[near] >= scores[best] - NEIGHBOUR_MARGIN
            ):
                if sum(len(pieces[i]) for i in chosen) + len(pieces[near]) <= MAX_FACT_CHARS:
                    chosen.add(near)
        lead = _lead_in(pieces, best) if best - 1 not in chosen else ""
        if lead:  # 信用卡3到7个工作日 reads as 退款按原支付方式原路退回：信用卡3到7个工作日
            return "".join(finish(lead + p if i == best else p) for i, p in _picked(pieces, chosen))
        if len(pieces[best]) < SHORT_SENTENCE and best + 1 < len(pieces) and usable[best + 1]:
            chosen.add(best + 1)
        return "".join(finish(p) for _, p in _picked(pieces, chosen))

    def attribute_answer(
        self,
        chunk: Chunk,
        question: str,
        template: str = "attribute_answer",
        by_meaning: bool = True,
    ):
        """The product attribute the question asks about, as a sentence; None if none is asked.

        template: the phrasing key the sentence is written with ({name}, {key}, {value});
        by_meaning: also an attribute the question does not name (see _attribute_by_meaning).
        """
        name, attributes, _ = parse_product(chunk)
        asked = normalize(question)
        named = self._named_attribute(attributes, asked)
        if named is not None:
            return self.phrasing[template].format(name=name, key=named, value=attributes[named])
        if "价格" in attributes and any(w in asked for w in PRICE_WORDS):
            return self.phrasing[template].format(name=name, key="价格", value=attributes["价格"])
        key = self._attribute_by_meaning(name, attributes, asked) if by_meaning else None
        if key is None:
            return None
        return self.phrasing[template].format(name=name, key=key, value=attributes[key])

    def gives_asked_kind(self, text: str, question: str) -> bool:
        """Whether text gives the kind of value (a time, an amount) the question asks for."""
        units = self._asked_units(normalize(question), self.sentence_kinds)
        return bool(units) and self._counted_in(text, units)

    def misses_asked_quantity(self, text: str, question: str) -> bool:
        """Whether the question asks a product's quantity (an age, a weight) that text lacks.

        冲奶的水温多少合适 shares 合适 with 适合多大的宝宝 but gives no age.
        """
        units = self._asked_units(normalize(question))
        return bool(units) and not self._counted_in(text, units)

    def _asked_units(
        self, asked: str, kinds: list[tuple[list[str], list[str]]] | None = None
    ) -> set[str]:
        """The units of the value a question asks for (几个月 → 月龄/个月/岁; 几档 → 档)."""
        units = set(_MEASURE.findall(asked)) - {"钱", "个"}
        for asks, kind_units in self.answer_kinds if kinds is None else kinds:
            if any(ask in asked for ask in asks):
                units.update(kind_units)
        return units

    def _named_attribute(self, attributes: dict[str, str], asked: str) -> str | None:
        """The attribute the question names, by its key or a word that asks for it.

        Of several, the one asked last (推车能折叠吗，多重 asks the weight now), and at the same
        place the key named itself (成分 asked of a product with both 材质 and 成分).
        """
        best, best_rank = None, (-1, False)
        for key in attributes:
            if key in UNTELLING_ATTRIBUTES:
                continue
            for word in (key, *self.aliases.get(key, ())):
                start = asked.rfind(word)
                rank = (start + len(word), word == key)
                if start >= 0 and rank > best_rank:
                    best, best_rank = key, rank
        return best

    @staticmethod
    def _counted_in(value: str, units: set[str]) -> bool:
        """Whether a value has a number counted in one of the units (6月龄, 9档, 80抽)."""
        value = normalize(value)
        for unit in units:
            start = value.find(unit)
            while start > 0:
                if value[start - 1] in _COUNTED or value[start - 1 : start].isspace():
                    return True
                start = value.find(unit, start + 1)
        return False

    def _attribute_by_meaning(
        self, name: str, attributes: dict[str, str], asked: str
    ) -> str | None:
        """The attribute a question asks for without naming it, on any shop's products.

        The value has the kind of quantity asked for (几个月 → 0到6月龄), or the attribute holds
        most of the question's own words once the product's name is set aside (含酒精 → 成分：
        无酒精). None when no attribute does. Of two that hold as much, the one whose name holds
        the question's words (几个口 → 接口, not 功率 whose value says 单口、多口).
        """
        units = self._asked_units(asked)
        own = content_chars(without_name(asked, normalize(name)))
        best, best_rank = None, (0.0, False)
        for key, share in self._shares(name, attributes, asked).items():
            score = (1.0 if units and self._counted_in(attributes[key], units) else 0.0) + share
            rank = (score, bool(own & set(key)))
            if (score >= 1.0 or share >= ASKED_WORDS_SHARE) and rank > best_rank:
                best, best_rank = key, rank
        return best

    def _shares(
        self, name: str, attributes: dict[str, str], asked: str, any_chars: bool = False
    ) -> dict[str, float]:
        """How much of the question's own words (its product's name set aside) each attribute holds.

        Weighted by rarity; 类目 and 价格 are not asked about this way.
        any_chars: the share of the words' characters counts however small (else only past half).
        """
        own = without_name(asked, normalize(name))
        for word in QUESTION_WORDS:
            own = own.replace(word, " ")
        words = [t for t in self.retriever.tokens(own) if len(t) > 1 and set(t) - QUESTION_CHARS]
        weights = {t: self.retriever.idf(t) or 1.0 for t in words}
        total = sum(weights.values())
        chars = content_chars(own)
        latin = _LATIN.findall(own)  # a model or standard named (LDAC) must be there itself
        shares = {}
        for key, value in attributes.items():
            if key in UNTELLING_ATTRIBUTES:
                continue
            text = normalize(f"{key}{value}")
            share = sum(w * _found(t, text) for t, w in weights.items()) / total if total else 0.0
            # jieba splits chat text oddly (一个人能搭 → 人能/搭): most of its characters count too
            found = sum(c in text for c in chars) / len(chars) if chars else 0.0
            if (any_chars or found > ASKED_CHARS_SHARE) and all(word in text for word in latin):
                share = max(share, found)
            shares[key] = share
        return shares

    def attribute_by_agreement(self, chunk: Chunk, question: str) -> str | None:
        """The attribute that two weak readings agree on, as a sentence; None if they differ.

        When no attribute holds most of the question's words, the one closest in meaning that
        also holds more of them than any other (声音大吗 → 噪音：约30分贝; 一天能设几顿 →
        定时：每天最多6餐) is a likely answer; either reading alone guesses too often.
        """
        name, attributes, _ = parse_product(chunk)
        asked = normalize(question)
        shares = self._shares(name, attributes, asked, any_chars=True)
        if not shares or max(shares.values()) <= 0.0:
            return None
        keys = list(shares)
        own = without_name(asked, normalize(name))
        vectors = self._sentence_vectors([f"{key}：{attributes[key]}" for key in keys])
        closest = keys[int(np.argmax(vectors @ self.retriever.encode_query(own)))]
        if shares[closest] < max(shares.values()):
            return None
        return self.phrasing["attribute_answer"].format(
            name=name, key=closest, value=attributes[closest]
        )

    def _product(
        self, chunk: Chunk, question: str, vector: np.ndarray | None, attributes: bool = True
    ) -> str:
        """The attribute asked about, else the description's sentence about the question.

        "" when the overview says nothing about it: the product's name is no answer.
        """
        answer = self.attribute_answer(chunk, question) if attributes else None
        if answer:
            return answer
        name, _, prose = parse_product(chunk)
        if not prose:
            return ""
        best = self._best_sentences(" ".join(prose), question, vector)
        if not self._mentions_asked(best, question, name):
            return ""
        lead = self.phrasing["product_lead"].format(name=name)
        return finish(lead + "，" + best.rstrip("。"))

    def _mentions_asked(self, sentence: str, question: str, name: str) -> bool:
        """Whether a sentence is about the question once its product's name is set aside.

        装 of 自己装吗 is in 需要自己组装; nothing of 饮水机能用多少年 is in 循环活水吸引猫咪多喝水.
        """
        own = without_name(normalize(question), normalize(name))
        if any(ask in own for ask in OVERVIEW_ASKS):
            return True  # 这个饮水机好不好: the overview is the answer
        return shares_asked(sentence, set(self.retriever.tokens(own)), QUESTION_CHARS)
